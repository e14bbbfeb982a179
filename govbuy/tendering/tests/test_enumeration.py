"""Ids of other objects sent in request bodies (issue 11 item 10): one that is
not there and one the caller may not use answer identically (status and body),
so probing ids tells nothing about which users, bids or organizations exist.

- the panel (`/rounds/{pk}/panel`): user ids that exist nowhere, and users who are
  no expert of the pool nor staff of the department (a provider's user, an expert
  of another city's pool);
- the award (`/rounds/{pk}/award`): bid ids of no bid, of another round, and of an
  invalid bid;
- a direct commission's unit (`intended_provider` of `/projects`): ids of no
  organization, of another department's 公益二类 unit, of an enterprise."""

import pytest

from govbuy.core.errors import InvalidInput
from govbuy.procurement import services
from govbuy.procurement.models import PurchaseProject
from govbuy.procurement.tests.test_api import as_user, body_for, call
from govbuy.procurement.tests.test_views import new_line, own_unit
from govbuy.tendering import services as tendering_services
from govbuy.tendering.models import PanelMember, TenderStatus
from govbuy.tendering.tests.fixtures import start
from govbuy.tendering.tests.test_api_running import appoint, bid_all, open_, score_all

MISSING = 2_000_000_000


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def w(tendering, clock):
    """The open tender's notice published on 2026-09-15 (bids until 2026-10-12 09:30)."""
    clock.at("2026-09-15 10:00")
    tendering.tender = start(services, tendering)
    return tendering


def answer(response):
    return response.status_code, response.json()


# --- the panel --------------------------------------------------------------------------------


def test_no_such_user_and_a_user_you_may_not_appoint_answer_alike(client, w, make_org, make_user):
    ly_bureau = make_org("洛阳市财政局（专家库）", "410300", is_finance_bureau=True)
    ly_expert = make_user("expert", ly_bureau)  # of another city's pool
    as_user(client, w.purchaser)
    path = f"/rounds/{w.tender.pk}/panel"
    members = [u.pk for u in w.panel]

    def appoint_with(extra):
        return answer(call(client, "post", path, {"members": [*members[:4], extra]}))

    missing = appoint_with(MISSING)
    provider = appoint_with(w.large_user.pk)
    elsewhere = appoint_with(ly_expert.pk)
    as_chair = answer(
        call(client, "post", path, {"members": members[:4], "chair": w.large_user.pk})
    )
    chair_missing = answer(call(client, "post", path, {"members": members[:4], "chair": MISSING}))

    assert missing == provider == elsewhere == as_chair == chair_missing
    assert missing[0] == 422 and missing[1]["errors"][0]["field"] == "members"
    assert str(MISSING) not in str(missing[1]) and w.large_user.display_name not in str(provider)
    assert not PanelMember.objects.exists()
    ok = call(client, "post", path, {"members": members})
    assert ok.status_code == 200, ok.content


def test_the_service_takes_the_same_view(w):
    """Users passed as objects (the page) meet the same check as ids (the API)."""
    with pytest.raises(InvalidInput) as as_object:
        tendering_services.appoint_panel(
            actor=w.purchaser, tender=w.tender, members=[*w.panel[:4], w.large_user]
        )
    with pytest.raises(InvalidInput) as as_id:
        tendering_services.appoint_panel(
            actor=w.purchaser, tender=w.tender, members=[*[u.pk for u in w.panel[:4]], MISSING]
        )
    assert as_object.value.errors == as_id.value.errors


# --- the award --------------------------------------------------------------------------------


def test_a_bid_not_there_of_another_round_or_invalid_answers_alike(client, w, clock):
    bid_all(w, clock)
    invalid = tendering_services.submit_bid(
        actor=w.unit_user,
        tender=w.tender,
        provider=w.unit,
        price="510000.00",
        technical_response="服务方案",
    )
    appoint(w)
    open_(w, clock)
    tendering_services.review_bid(
        actor=w.purchaser, bid=invalid, valid=False, reason="资格证明不全"
    )
    score_all(w)
    assert w.tender.status == TenderStatus.EVALUATED
    clock.at("2026-10-13 10:00")
    as_user(client, w.purchaser)
    path = f"/rounds/{w.tender.pk}/award"

    missing = answer(call(client, "post", path, {"bid": MISSING}))
    not_ranked = answer(call(client, "post", path, {"bid": invalid.pk}))

    assert missing == not_ranked
    assert missing[0] == 422 and missing[1]["violations"][0]["field"] == "bid"
    w.tender.refresh_from_db()
    assert w.tender.status == TenderStatus.EVALUATED


# --- a direct commission's unit (P6) -----------------------------------------------------------


def test_a_unit_not_there_anothers_or_no_unit_answers_alike(client, tendering, make_org):
    buying = tendering
    theirs = own_unit(buying, make_org, name="郑州市人社服务中心（他部门）", competent=buying.other)
    line = new_line(buying)
    as_user(client, buying.purchaser)

    def create(unit_id):
        return answer(call(client, "post", "/projects", body_for(line, intended_provider=unit_id)))

    missing = create(MISSING)
    others = create(theirs.pk)
    enterprise = create(tendering.large.pk)

    assert missing == others == enterprise
    assert missing[0] == 422
    assert missing[1]["violations"][0]["field"] == "intended_provider"
    assert not PurchaseProject.objects.filter(budget_line=line).exists()
