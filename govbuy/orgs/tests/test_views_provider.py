"""Organization pages with the Django test client: the profile shows compliance,
eligibility and credit; the provider edits its own declaration; purchasers and
finance bureaus record credit entries; finance revokes after a confirmation.
Per role, with 404 for others' organizations, 403 for wrong roles, and
field-level messages (never a 500) for bad input."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from govbuy.core.models import AuditEvent
from govbuy.orgs.models import CreditRecord, ProviderCompliance
from govbuy.orgs.rules import add_years

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def english(client, settings):
    """Pages in English: assert on the English source text."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def login(client, user):
    client.force_login(user)
    return client


def text(response) -> str:
    return response.content.decode()


def compliance_form(**over):
    data = {
        "established_on": "2016-05-01",
        "independent_civil_liability": "on",
        "good_tax_record": "on",
        "good_social_insurance_record": "on",
        "last_serious_violation_on": "",
        "note": "已查询信用中国，无不良记录。",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}


# --- the profile ---------------------------------------------------------------------


def test_profile_shows_compliance_eligibility_and_credit(client, world, declare, record):
    declare(world.orgs.provider, note="营业执照 91410122…")
    record(world.orgs.provider, years=1)
    login(client, world.users.provider)

    response = client.get(f"/orgs/{world.orgs.provider.pk}/")

    assert response.status_code == 200
    page = text(response)
    assert "Compliance profile" in page
    assert "Not verified by a finance bureau yet." in page
    assert "Credit records" in page
    assert "服务期间多次未按合同提供上门服务" in page
    assert "In force" in page
    assert response.context["may_bid"] is False
    assert [v.rule for v in response.context["bidding"]] == ["S9"]
    assert response.context["may_declare"] is True
    assert response.context["may_record"] is False
    assert response.context["records"][0].may_revoke is False


def test_profile_without_declaration_says_it_may_not_bid(client, world):
    login(client, world.users.provider)
    response = client.get(f"/orgs/{world.orgs.provider.pk}/")
    assert "Complete the profile" in text(response)
    assert [v.field for v in response.context["bidding"]] == ["compliance"]


@pytest.mark.parametrize(
    ("who", "status", "declare_", "verify", "record_", "revoke"),
    [
        ("provider", 200, True, False, False, False),
        ("finance", 200, False, True, True, True),
        ("auditor", 200, False, False, False, False),
        ("finance_ly", 404, None, None, None, None),
        ("purchaser", 404, None, None, None, None),
        ("other", 404, None, None, None, None),
        ("recipient", 404, None, None, None, None),
    ],
)
def test_profile_per_role(client, world, declare, record, who, status, declare_, verify, record_, revoke):  # fmt: skip
    declare(world.orgs.provider)
    record(world.orgs.provider, kind="breach")
    login(client, getattr(world.users, who))

    response = client.get(f"/orgs/{world.orgs.provider.pk}/")

    assert response.status_code == status
    if status == 404:
        assert "中牟县颐和养老服务有限公司" not in text(response)
        return
    ctx = response.context
    assert (ctx["may_declare"], ctx["may_verify"], ctx["may_record"]) == (declare_, verify, record_)
    assert ctx["records"][0].may_revoke is revoke


def test_finance_marks_the_declaration_verified(client, world, declare):
    declare(world.orgs.provider)
    login(client, world.users.finance)

    response = client.post(f"/orgs/{world.orgs.provider.pk}/compliance/verify/")

    assert response.status_code == 302
    assert ProviderCompliance.objects.get(organization=world.orgs.provider).verified_at
    assert "Verified by" in text(client.get(f"/orgs/{world.orgs.provider.pk}/"))


def test_auditor_may_not_verify(client, world, declare):
    declare(world.orgs.provider)
    login(client, world.users.auditor)
    assert client.post(f"/orgs/{world.orgs.provider.pk}/compliance/verify/").status_code == 403


# --- the declaration form ------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("provider", 200), ("finance", 403), ("auditor", 403), ("other", 404), ("purchaser", 404)],
)
def test_declaration_form_per_role(client, world, who, status):
    login(client, getattr(world.users, who))
    response = client.get(f"/orgs/{world.orgs.provider.pk}/compliance/")
    assert response.status_code == status


def test_provider_saves_its_declaration(client, world):
    login(client, world.users.provider)
    url = f"/orgs/{world.orgs.provider.pk}/compliance/"
    form = client.get(url).context["form"]
    assert "in_qualified_directory" not in form.fields  # S7 is for social organizations

    response = client.post(url, compliance_form())

    assert response.status_code == 302
    compliance = ProviderCompliance.objects.get(organization=world.orgs.provider)
    assert compliance.good_tax_record and compliance.established_on == dt.date(2016, 5, 1)
    assert AuditEvent.objects.filter(action="orgs.compliance.declare").count() == 1
    page = client.get(f"/orgs/{world.orgs.provider.pk}/")
    assert page.context["may_bid"] is True


def test_social_organization_form_has_the_s7_conditions(client, world):
    login(client, world.users.social)
    url = f"/orgs/{world.orgs.social.pk}/compliance/"
    assert "in_qualified_directory" in client.get(url).context["form"].fields

    response = client.post(
        url,
        compliance_form(
            civil_affairs_registered="on",
            has_fixed_premises="on",
            has_full_time_staff="on",
            sound_governance="on",
            sound_accounting="on",
            annual_inspection_passed="on",
            annual_inspection_year="",
        ),
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "annual_inspection_year" in errors
    assert "Give the year of the annual inspection that was passed." in text(response)
    assert not ProviderCompliance.objects.exists()


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"established_on": "2016-02-30"}, "established_on"),
        ({"established_on": (TODAY + dt.timedelta(days=2)).isoformat()}, "established_on"),
        ({"last_serious_violation_on": "last year"}, "last_serious_violation_on"),
        ({"note": "很" * 2001}, "note"),
    ],
)
def test_bad_declaration_gives_a_field_message(client, world, over, field):
    login(client, world.users.provider)
    response = client.post(f"/orgs/{world.orgs.provider.pk}/compliance/", compliance_form(**over))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not ProviderCompliance.objects.exists()


# --- credit records ------------------------------------------------------------------


def credit_form(org, concerned, **over):
    data = {
        "provider": org.uscc,
        "project": concerned.code,
        "kind": "serious_breach",
        "description": "提供虚假材料谋取中标。",
        "project_reference": "合同 ZZMZ-2026-009",
        "basis": "政府采购法 第七十七条；郑财采罚〔2026〕5号",
        "exclusion_from": TODAY.isoformat(),
        "exclusion_until": (add_years(TODAY, 2) - dt.timedelta(days=1)).isoformat(),
    }
    data.update(over)
    return data


@pytest.mark.parametrize(
    ("who", "status"),
    [("purchaser", 200), ("finance", 200), ("provider", 403), ("auditor", 403), ("recipient", 403)],
)
def test_credit_form_per_role(client, world, who, status):
    login(client, getattr(world.users, who))
    assert client.get("/orgs/credit/new/").status_code == status


def test_purchaser_records_a_serious_breach(client, world, took_part):
    project = took_part(world.orgs.other)
    login(client, world.users.purchaser)
    page = client.get(f"/orgs/credit/new/?provider={world.orgs.other.uscc}")
    assert page.context["form"]["provider"].value() == world.orgs.other.uscc

    response = client.post("/orgs/credit/new/", credit_form(world.orgs.other, project))

    assert response.status_code == 302
    rec = CreditRecord.objects.get()
    assert response.url == f"/orgs/credit/{rec.pk}/"
    assert (rec.organization, rec.recording_organization) == (world.orgs.other, world.orgs.dept)
    assert rec.project == project
    detail = client.get(response.url)
    assert detail.status_code == 200
    assert "In force today" in text(detail)
    assert detail.context["may_see_provider"] is False  # a purchaser supervises no provider
    assert AuditEvent.objects.filter(action="orgs.credit.record").count() == 1


@pytest.mark.parametrize(
    ("over", "field", "message"),
    [
        ({"provider": "nobody"}, "provider", "No provider you may record about has this code"),
        ({"project": "CG0000-99"}, "project", "Name a project this provider took part in"),
        ({"project": ""}, "project", "This field is required."),
        (
            {"exclusion_until": add_years(TODAY, 4).isoformat()},
            "exclusion_until",
            "The exclusion lasts from 1 to 3 years",
        ),
        ({"exclusion_from": "", "exclusion_until": ""}, "exclusion_from", "first day"),
        ({"exclusion_from": "31/12/2026"}, "exclusion_from", "Enter a valid date."),
        ({"description": ""}, "description", "Say what happened."),
        ({"kind": ""}, "kind", "This field is required."),
        ({"kind": "breach"}, "exclusion_from", "Only a serious breach"),
    ],
)
def test_bad_credit_input_gets_field_messages(client, world, took_part, over, field, message):
    project = took_part(world.orgs.other)
    login(client, world.users.purchaser)

    response = client.post("/orgs/credit/new/", credit_form(world.orgs.other, project, **over))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert message in text(response)
    assert not CreditRecord.objects.exists()


def test_credit_list_per_scope(client, world, record):
    record(world.orgs.provider)
    record(
        world.orgs.other, kind="breach", actor=world.users.finance_ly, recorder=world.orgs.fin_ly
    )
    for who, n in [("purchaser", 1), ("provider", 1), ("auditor", 2), ("finance_ly", 1), ("recipient", 0)]:  # fmt: skip
        login(client, getattr(world.users, who))
        response = client.get("/orgs/credit/")
        assert response.status_code == 200
        assert response.context["page"].paginator.count == n, who


def test_credit_detail_of_another_scope_is_404(client, world, record):
    rec = record(world.orgs.provider)
    for who in ("other", "finance_ly", "recipient"):
        login(client, getattr(world.users, who))
        assert client.get(f"/orgs/credit/{rec.pk}/").status_code == 404
        assert client.get(f"/orgs/credit/{rec.pk}/revoke/").status_code == 404
    for path in ("/orgs/credit/0/", "/orgs/credit/99999999/"):
        assert client.get(path).status_code == 404


def test_finance_revokes_after_confirmation(client, world, record):
    rec = record(world.orgs.provider)
    login(client, world.users.finance)
    url = f"/orgs/credit/{rec.pk}/revoke/"

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Yes, revoke it" in text(confirm)
    rec.refresh_from_db()
    assert rec.revoked_at is None  # the GET changes nothing

    missing = client.post(url, {"reason": ""})
    assert missing.status_code == 200
    assert "reason" in missing.context["form"].errors

    done = client.post(url, {"reason": "经行政复议撤销"})
    assert done.status_code == 302
    rec.refresh_from_db()
    assert rec.revoked_reason == "经行政复议撤销"
    assert "Revoked on" in text(client.get(f"/orgs/credit/{rec.pk}/"))
    again = client.get(url)  # nothing left to revoke: back to the record
    assert (again.status_code, again.url) == (302, f"/orgs/credit/{rec.pk}/")


@pytest.mark.parametrize("who", ["purchaser", "provider", "auditor"])
def test_only_finance_reaches_the_revoke_page(client, world, record, who):
    rec = record(world.orgs.provider)
    login(client, getattr(world.users, who))
    assert client.get(f"/orgs/credit/{rec.pk}/revoke/").status_code == 403
    assert client.post(f"/orgs/credit/{rec.pk}/revoke/", {"reason": "x"}).status_code == 403


def test_profile_query_count_does_not_grow_with_records(client, world, declare, record):
    declare(world.orgs.provider)
    login(client, world.users.finance)
    record(world.orgs.provider, kind="breach")
    client.get(f"/orgs/{world.orgs.provider.pk}/")  # warm-up
    with CaptureQueriesContext(connection) as one:
        client.get(f"/orgs/{world.orgs.provider.pk}/")
    for _ in range(5):
        record(world.orgs.provider, kind="other")
    with CaptureQueriesContext(connection) as six:
        client.get(f"/orgs/{world.orgs.provider.pk}/")
    assert len(six.captured_queries) == len(one.captured_queries)
