"""/api/v1 for bidding eligibility, compliance declarations and credit records, per
role: the provider itself, finance and auditors of the region, and outsiders
(404, never the data)."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from govbuy.core.models import AuditEvent
from govbuy.orgs.models import CreditRecord, ProviderCompliance
from govbuy.orgs.rules import add_years
from govbuy.orgs.tests.conftest import clean_facts

TODAY = timezone.localdate()


def as_user(client, user):
    if user is not None:
        client.force_login(user)
    return client


def send(client, method, url, body=None):
    return getattr(client, method)(
        url, data=json.dumps(body or {}, default=str), content_type="application/json"
    )


# Who sees 中牟县颐和养老服务有限公司 (a provider in 中牟县, under 郑州市).
SEES_PROVIDER = {
    "provider": True,  # its own
    "finance": True,  # 郑州市 finance: its subtree
    "auditor": True,  # 河南 audit office
    "finance_ly": False,  # 洛阳: a sibling region
    "purchaser": False,  # a purchaser supervises no one
    "other": False,  # another provider
    "recipient": False,
}


@pytest.mark.parametrize("who", sorted(SEES_PROVIDER))
def test_bidding_eligibility_per_role(client, world, declare, who):
    declare(world.orgs.provider)
    as_user(client, getattr(world.users, who))

    response = client.get(f"/api/v1/organizations/{world.orgs.provider.pk}/bidding-eligibility")

    if SEES_PROVIDER[who]:
        assert response.status_code == 200
        body = response.json()
        assert body == {
            "organization_id": world.orgs.provider.pk,
            "at": TODAY.isoformat(),
            "eligible": True,
            "violations": [],
            "credit_records": [],
        }
    else:
        assert response.status_code == 404
        assert set(response.json()) == {"code", "message"}


def test_bidding_eligibility_anonymous_is_401(client, world):
    response = client.get(f"/api/v1/organizations/{world.orgs.provider.pk}/bidding-eligibility")
    assert response.status_code == 401


def test_bidding_eligibility_gives_reasons_and_credit_at_a_date(client, world, declare, record):
    declare(world.orgs.provider, good_tax_record=False)
    rec = record(world.orgs.provider, years=1)
    as_user(client, world.users.provider)

    url = f"/api/v1/organizations/{world.orgs.provider.pk}/bidding-eligibility"
    body = client.get(url).json()

    assert body["eligible"] is False
    assert [(v["rule"], v["severity"], v["field"]) for v in body["violations"]] == [
        ("S6", "hard", "good_tax_record"),
        ("S9", "hard", "credit_records"),
    ]
    for v in body["violations"]:
        assert v["basis"] in v["message"]
    (entry,) = body["credit_records"]
    assert entry["id"] == rec.pk
    assert entry["in_force"] is True
    assert entry["kind"] == "serious_breach"

    after = add_years(TODAY, 1).isoformat()  # the day after the last day
    later = client.get(url, {"at": after}).json()
    assert [(v["rule"], v["severity"]) for v in later["violations"]] == [
        ("S6", "hard"),
        ("S9", "report"),
    ]
    assert later["credit_records"][0]["in_force"] is False


def test_bidding_eligibility_bad_date_is_422(client, world):
    as_user(client, world.users.provider)
    response = client.get(
        f"/api/v1/organizations/{world.orgs.provider.pk}/bidding-eligibility", {"at": "soon"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "at"


def test_no_profile_is_not_eligible(client, world):
    as_user(client, world.users.social)
    body = client.get(f"/api/v1/organizations/{world.orgs.social.pk}/bidding-eligibility").json()
    assert body["eligible"] is False
    assert [v["field"] for v in body["violations"]] == ["compliance"]


# --- compliance ----------------------------------------------------------------------


def test_provider_declares_through_the_api(client, world):
    as_user(client, world.users.social)
    url = f"/api/v1/organizations/{world.orgs.social.pk}/compliance"
    before = client.get(url).json()
    assert (before["organization_id"], before["declared"]) == (world.orgs.social.pk, False)

    response = send(client, "put", url, clean_facts(world.orgs.social))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["declared"] is True
    assert body["in_qualified_directory"] is True
    assert ProviderCompliance.objects.get(organization=world.orgs.social).sound_accounting
    assert AuditEvent.objects.filter(action="orgs.compliance.declare").count() == 1
    eligibility = client.get(
        f"/api/v1/organizations/{world.orgs.social.pk}/bidding-eligibility"
    ).json()
    assert eligibility["eligible"] is True


@pytest.mark.parametrize(
    ("who", "status"),
    [("provider", 200), ("finance", 403), ("auditor", 403), ("other", 404), ("purchaser", 404)],
)
def test_who_may_declare(client, world, who, status):
    as_user(client, getattr(world.users, who))
    response = send(
        client,
        "put",
        f"/api/v1/organizations/{world.orgs.provider.pk}/compliance",
        {"good_tax_record": True},
    )
    assert response.status_code == status
    assert ProviderCompliance.objects.exists() is (status == 200)


def test_bad_declaration_is_422_with_fields(client, world):
    as_user(client, world.users.provider)
    response = send(
        client,
        "put",
        f"/api/v1/organizations/{world.orgs.provider.pk}/compliance",
        {
            "established_on": (TODAY + dt.timedelta(days=3)).isoformat(),
            "sound_governance": True,
        },
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_input"
    assert {e["field"] for e in body["errors"]} == {"established_on", "sound_governance"}


def test_finance_verifies_through_the_api(client, world, declare):
    declare(world.orgs.provider)
    url = f"/api/v1/organizations/{world.orgs.provider.pk}/compliance/verify"
    assert as_user(client, world.users.auditor).post(url).status_code == 403
    response = as_user(client, world.users.finance).post(url)
    assert response.status_code == 200
    assert response.json()["verified_at"]


# --- credit records ------------------------------------------------------------------


def credit_body(org, concerned, **over):
    body = {
        "provider": org.uscc,
        "project": concerned.code,
        "kind": "serious_breach",
        "description": "中标后无正当理由拒不签订合同。",
        "basis": "政府采购法 第七十七条；郑财采罚〔2026〕3号",
        "project_reference": "合同 ZZMZ-2026-007",
        "exclusion_from": TODAY.isoformat(),
        "exclusion_until": (add_years(TODAY, 3) - dt.timedelta(days=1)).isoformat(),
    }
    body.update(over)
    return body


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("purchaser", 201),
        ("finance", 201),
        ("provider", 403),
        ("auditor", 403),
        ("recipient", 403),
    ],
)
def test_who_may_record_credit(client, world, took_part, who, status):
    project = took_part(world.orgs.other)
    as_user(client, getattr(world.users, who))

    response = send(
        client, "post", "/api/v1/credit-records", credit_body(world.orgs.other, project)
    )

    assert response.status_code == status, response.content
    assert CreditRecord.objects.exists() is (status == 201)
    if status == 201:
        body = response.json()
        assert body["organization_id"] == world.orgs.other.pk
        assert (body["project_id"], body["project_code"]) == (project.pk, project.code)
        assert body["objection"] is None
        assert body["in_force_today"] is True
        assert AuditEvent.objects.filter(action="orgs.credit.record").count() == 1


def test_natural_person_is_named_by_platform_number(client, world, took_part):
    project = took_part(world.orgs.person)
    as_user(client, world.users.purchaser)
    response = send(
        client,
        "post",
        "/api/v1/credit-records",
        credit_body(world.orgs.person, project, provider=str(world.orgs.person.pk), kind="breach")
        | {"exclusion_from": None, "exclusion_until": None},
    )
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"provider": "91410100MA00000000"}, "provider"),
        ({"exclusion_until": add_years(TODAY, 5).isoformat()}, "exclusion_until"),
        ({"kind": "gossip"}, "kind"),
        ({"exclusion_from": "someday"}, "exclusion_from"),
        ({"description": ""}, "description"),
        ({"project": "CG0000-99"}, "project"),
    ],
)
def test_bad_credit_record_is_422_with_the_field(client, world, took_part, over, field):
    project = took_part(world.orgs.other)
    as_user(client, world.users.purchaser)
    response = send(
        client, "post", "/api/v1/credit-records", credit_body(world.orgs.other, project, **over)
    )
    assert response.status_code == 422
    assert field in {e["field"] for e in response.json()["errors"]}
    assert not CreditRecord.objects.exists()


def test_credit_records_are_listed_per_scope(client, world, record):
    mine = record(world.orgs.provider)
    record(
        world.orgs.other, kind="breach", actor=world.users.finance_ly, recorder=world.orgs.fin_ly
    )

    def ids(user):
        as_user(client, user)
        return {r["id"] for r in client.get("/api/v1/credit-records").json()["items"]}

    assert ids(world.users.provider) == {mine.pk}  # about itself
    assert ids(world.users.purchaser) == {mine.pk}  # recorded by it
    assert len(ids(world.users.finance_ly)) == 1  # 洛阳's own record about 洛阳's provider
    assert len(ids(world.users.auditor)) == 2
    assert ids(world.users.other) == {r.pk for r in CreditRecord.objects.exclude(pk=mine.pk)}
    assert ids(world.users.recipient) == set()


@pytest.mark.parametrize(
    ("who", "status"),
    [("finance", 200), ("purchaser", 403), ("provider", 403), ("finance_ly", 404), ("other", 404)],
)
def test_who_may_revoke(client, world, record, who, status):
    rec = record(world.orgs.provider)
    as_user(client, getattr(world.users, who))

    response = send(client, "post", f"/api/v1/credit-records/{rec.pk}/revoke", {"reason": "撤销"})

    assert response.status_code == status
    rec.refresh_from_db()
    assert (rec.revoked_at is not None) is (status == 200)


def test_revoke_needs_a_reason(client, world, record):
    rec = record(world.orgs.provider)
    as_user(client, world.users.finance)
    response = send(client, "post", f"/api/v1/credit-records/{rec.pk}/revoke", {"reason": ""})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "reason"
