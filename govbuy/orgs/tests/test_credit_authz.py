"""Who records a credit record (S9), about what, and what the provider may do
about it (issue 11 items 8 and 10), over a real purchase and the real HTTP stack.

A purchaser of another city recorded a serious breach against a provider it had
no link to, and the provider's next bid was refused under S9. Now only the
parties of a purchase record, naming it: the purchasing department of a project
in which the provider's bid was opened, or the finance bureau of the provider's
or of the project's region (同级财政部门; a bureau above supervises and revokes,
it does not record). The provider is told (its inbox) and may object; the
finance bureau sees the objection and revokes or keeps the record. A provider
or project that is not there answers exactly like one the recorder may not name.

The world, on the official calendar of 2026: 郑州市民政局's purchase A, whose
round opened on 12 October with the bids of a 郑州 and a 洛阳 provider (and
failed, 流标, for too few); its purchase B, open for bids until 30 October, on
which the 郑州 provider has a sealed bid; a 郑州 provider that bid on neither.
The tests run on 13 October."""

import datetime as dt
import json
from types import SimpleNamespace

import pytest
from django.utils import translation

from govbuy.core.models import AuditEvent
from govbuy.core.rules import RuleViolation
from govbuy.orgs import services
from govbuy.orgs.models import CreditObjection, CreditRecord
from govbuy.orgs.rules import add_years
from govbuy.procurement import services as procurement
from govbuy.procurement.tests.conftest import approved_project, provider_org

API = "/api/v1"
CRITERIA = [
    {"name": "服务方案", "points": "40", "description": "方案完整、可行"},
    {"name": "团队与经验", "points": "30", "description": "人员资质与类似业绩"},
]
TODAY = dt.date(2026, 10, 13)


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


def _round(buying, project, deadline):
    return procurement.start_round(
        actor=buying.purchaser,
        project=project,
        bid_deadline=deadline,
        price_weight="30",
        criteria=CRITERIA,
        sme_deduction="0.10",
        qualification="具有独立承担民事责任的能力",
        documents="招标文件要点",
    )


def _bid(org, user, tender, price="450000.00", **more):
    return procurement.submit_bid(
        actor=user,
        tender=tender,
        provider=org,
        price=price,
        technical_response="按需求提供服务，配备专职人员。",
        sme_size=org.sme_size,
        **more,
    )


@pytest.fixture
def w(request, clock, make_org, make_user):
    clock.at("2026-08-03 09:00")
    buying = request.getfixturevalue("buying")
    a = approved_project(buying, method="open_tender", name="2027年社区老年助餐服务采购")
    b = approved_project(buying, method="open_tender", name="2027年居家养老上门服务采购")
    for project in (a, b):
        procurement.publish_intention(
            actor=buying.purchaser, project=project, expected_on="2026-09-15"
        )
    zz, zz_user = provider_org(make_org, make_user, "郑州金水乐龄餐饮有限公司", sme_size="small")
    ly = make_org("洛阳市河洛养老服务有限公司", "410300", "enterprise", is_provider=True)
    ly_user = make_user("provider", ly)
    services.declare_compliance(
        actor=ly_user,
        organization=ly,
        independent_civil_liability=True,
        good_tax_record=True,
        good_social_insurance_record=True,
        established_on="2015-03-01",
    )
    bystander, bystander_user = provider_org(make_org, make_user, "郑州某家政服务有限公司")
    clock.at("2026-09-15 10:00")
    round_a = _round(buying, a, "2026-10-12T09:30")
    round_b = _round(buying, b, "2026-10-30T09:30")
    clock.at("2026-10-09 15:00")
    _bid(zz, zz_user, round_a)
    _bid(ly, ly_user, round_a)
    clock.at("2026-10-12 09:30")
    procurement.open_bids(actor=buying.purchaser, tender=round_a)
    clock.at("2026-10-12 15:00")
    _bid(zz, zz_user, round_b)  # sealed until 30 October
    dept_ly = make_org("洛阳市民政局（信用）", "410300", is_purchaser=True)
    clock.at("2026-10-13 10:00")
    return SimpleNamespace(
        **vars(buying),
        a=a,
        b=b,
        round_b=round_b,
        bidder=zz,
        bidder_user=zz_user,
        ly_provider=ly,
        ly_user=ly_user,
        bystander=bystander,
        bystander_user=bystander_user,
        purchaser_ly=make_user("purchaser", dept_ly),
        admin=make_user("platform_admin", buying.hn),
    )


def body(provider, project, **over):
    data = {
        "provider": provider if isinstance(provider, str) else provider.uscc,
        "project": project if isinstance(project, str) else project.code,
        "kind": "serious_breach",
        "description": "提供虚假的服务人员资格证明谋取中标，经调查属实。",
        "basis": "政府采购法 第七十七条；郑民采〔2026〕8号",
        "exclusion_from": TODAY.isoformat(),
        "exclusion_until": (add_years(TODAY, 2) - dt.timedelta(days=1)).isoformat(),
    }
    data.update(over)
    return data


def post(client, user, path, data):
    client.force_login(user)
    return client.post(f"{API}{path}", data=json.dumps(data), content_type="application/json")


def recorded() -> int:
    return AuditEvent.objects.filter(action="orgs.credit.record").count()


def s9(org, tender, user):
    """The rules that refuse `org`'s next bid on `tender`, which replaces its sealed
    one (an empty list: accepted)."""
    try:
        _bid(org, user, tender, price="430000.00", replace=True)
    except RuleViolation as refused:
        return [v.rule for v in refused.violations if v.is_hard]
    return []


# --- item 8: who records ------------------------------------------------------------------------


def test_a_purchaser_of_another_city_without_a_link_is_refused_and_the_bid_goes_on(client, w):
    response = post(client, w.purchaser_ly, "/credit-records", body(w.bidder, w.a))

    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "provider"
    assert (CreditRecord.objects.count(), recorded()) == (0, 0)
    assert s9(w.bidder, w.round_b, w.bidder_user) == []  # its next bid is not refused


def test_the_department_whose_round_the_bid_was_opened_in_records(client, w):
    response = post(client, w.purchaser, "/credit-records", body(w.bidder, w.a))

    assert response.status_code == 201, response.content
    record = CreditRecord.objects.get()
    assert (record.organization, record.project, record.recording_organization) == (
        w.bidder,
        w.a,
        w.dept,
    )
    assert response.json()["project_code"] == w.a.code
    event = AuditEvent.objects.get(action="orgs.credit.record")
    assert event.data["project"] == w.a.pk and event.data["as"] == ["purchaser"]
    assert s9(w.bidder, w.round_b, w.bidder_user) == ["S9"]


@pytest.mark.parametrize(
    ("who", "provider", "status"),
    [
        ("finance_ly", "ly_provider", 201),  # the bureau of the provider's region
        ("finance", "ly_provider", 201),  # the bureau of the project's region
        ("finance", "bidder", 201),  # both
        ("finance_hn", "ly_provider", 422),  # above both: supervises, does not record
        ("finance_ly", "bidder", 422),  # neither the provider's nor the project's region
        ("auditor", "bidder", 403),
        ("admin", "bidder", 403),
        ("bidder_user", "bidder", 403),
    ],
)
def test_finance_bureaus_of_the_providers_or_the_projects_region_record(
    client, w, who, provider, status
):
    response = post(client, getattr(w, who), "/credit-records", body(getattr(w, provider), w.a))

    assert response.status_code == status, response.content
    assert CreditRecord.objects.count() == recorded() == (1 if status == 201 else 0)


def test_the_administrator_is_told_why(client, w):
    response = post(client, w.admin, "/credit-records", body(w.bidder, w.a))
    assert response.status_code == 403
    assert "platform administrator" in response.json()["errors"][0]["message"]


def test_the_department_records_only_about_a_project_the_provider_took_part_in(w):
    with pytest.raises(services.InvalidInput) as refused:
        services.record_credit(
            actor=w.purchaser,
            recording_organization=w.dept,
            organization=w.bidder,
            project=w.b,  # its bid on B is still sealed
            kind="breach",
            description="未按要求提交材料",
            basis="政府采购法 第七十七条",
        )
    assert refused.value.errors[0]["field"] == "project"
    assert not CreditRecord.objects.exists()


# --- item 10: not there and not yours answer alike ---------------------------------------------


def _answer(response):
    return response.status_code, response.json()


def test_a_provider_not_there_and_one_you_may_not_name_answer_alike(client, w):
    missing = _answer(
        post(client, w.purchaser_ly, "/credit-records", body("91410100MA0000000X", w.a))
    )
    linked_elsewhere = _answer(post(client, w.purchaser_ly, "/credit-records", body(w.bidder, w.a)))
    never_bid = _answer(post(client, w.purchaser, "/credit-records", body(w.bystander, w.a)))
    by_number = _answer(post(client, w.purchaser, "/credit-records", body("99999999", w.a)))

    assert missing == linked_elsewhere == never_bid == by_number
    assert missing[0] == 422
    assert not CreditRecord.objects.exists()


def test_a_project_not_there_and_one_you_may_not_name_answer_alike(client, w):
    missing = _answer(
        post(client, w.purchaser, "/credit-records", body(w.bidder, "CG0000-0000-99"))
    )
    sealed = _answer(post(client, w.purchaser, "/credit-records", body(w.bidder, w.b)))
    by_id = _answer(post(client, w.purchaser, "/credit-records", body(w.bidder, str(w.b.pk))))
    no_id = _answer(post(client, w.purchaser, "/credit-records", body(w.bidder, "999999")))

    assert missing == sealed == by_id == no_id
    assert missing[0] == 422 and missing[1]["errors"][0]["field"] == "project"
    assert not CreditRecord.objects.exists()


def test_the_page_answers_alike_too(client, w):
    client.force_login(w.purchaser_ly)

    def errors(provider):
        data = body(provider, w.a)
        response = client.post("/orgs/credit/new/", data)
        assert response.status_code == 200
        return dict(response.context["form"].errors)

    assert errors("91410100MA0000000X") == errors(w.bidder) != {}


# --- item 8: the provider is told and objects ---------------------------------------------------


@pytest.fixture
def rec(w):
    return services.record_credit(
        actor=w.purchaser,
        recording_organization=w.dept,
        organization=w.bidder,
        project=w.a,
        **{k: v for k, v in body(w.bidder, w.a).items() if k not in ("provider", "project")},
    )


def _inbox(client, user) -> str:
    client.force_login(user)
    response = client.get("/procurement/inbox/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_provider_is_told_objects_and_the_bureau_revokes(client, w, rec):
    detail = f"/orgs/credit/{rec.pk}/"
    assert detail in _inbox(client, w.bidder_user)
    assert detail not in _inbox(client, w.bystander_user)

    response = post(
        client, w.bidder_user, f"/credit-records/{rec.pk}/objection", {"text": "证书真实有效"}
    )
    assert response.status_code == 201, response.content
    assert response.json()["objection"]["text"] == "证书真实有效"
    assert detail not in _inbox(client, w.bidder_user)  # told; it has answered
    assert detail in _inbox(client, w.finance)  # the bureau sees the objection
    again = post(client, w.bidder_user, f"/credit-records/{rec.pk}/objection", {"text": "再次异议"})
    assert again.status_code == 409

    revoked = post(
        client, w.finance, f"/credit-records/{rec.pk}/revoke", {"reason": "复核：证书属实"}
    )
    assert revoked.status_code == 200
    objection = CreditObjection.objects.get()
    assert (objection.record_revoked, objection.answer) == (True, "复核：证书属实")
    assert detail not in _inbox(client, w.finance)
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"orgs.credit.object", "orgs.credit.revoke"} <= actions
    assert s9(w.bidder, w.round_b, w.bidder_user) == []


def test_the_bureau_may_keep_the_record_with_its_reasons(client, w, rec):
    post(client, w.bidder_user, f"/credit-records/{rec.pk}/objection", {"text": "证书真实有效"})
    refused = post(client, w.purchaser, f"/credit-records/{rec.pk}/objection/keep", {"answer": "x"})
    assert refused.status_code == 403

    kept = post(
        client,
        w.finance,
        f"/credit-records/{rec.pk}/objection/keep",
        {"answer": "经核查证书系伪造"},
    )

    assert kept.status_code == 200, kept.content
    assert kept.json()["objection"]["record_revoked"] is False
    assert kept.json()["revoked_at"] is None
    assert f"/orgs/credit/{rec.pk}/" not in _inbox(client, w.finance)
    assert AuditEvent.objects.filter(action="orgs.credit.keep").count() == 1


@pytest.mark.parametrize(("who", "status"), [("ly_user", 404), ("admin", 403), ("purchaser", 403)])
def test_only_the_provider_objects(client, w, rec, who, status):
    response = post(
        client, getattr(w, who), f"/credit-records/{rec.pk}/objection", {"text": "异议"}
    )
    assert response.status_code == status
    assert not CreditObjection.objects.exists()


def test_the_provider_objects_on_the_page(client, w, rec):
    client.force_login(w.bidder_user)
    page = client.get(f"/orgs/credit/{rec.pk}/")
    assert f"/orgs/credit/{rec.pk}/objection/" in page.content.decode()

    empty = client.post(f"/orgs/credit/{rec.pk}/objection/", {"text": " "})
    assert empty.status_code == 200 and not CreditObjection.objects.exists()
    sent = client.post(f"/orgs/credit/{rec.pk}/objection/", {"text": "证书真实有效"})

    assert sent.status_code == 302
    assert CreditObjection.objects.get().raised_by == w.bidder_user
    client.force_login(w.finance)
    assert f"/orgs/credit/{rec.pk}/objection/keep/" in client.get(sent.url).content.decode()
