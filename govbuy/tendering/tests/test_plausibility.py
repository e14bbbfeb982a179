"""Plausible dates (issue 11, item 19): a purchase's service term lies within
the years its budget line funds (the fiscal year and its out-years, never past
the medium-term plan, B5), and nothing before the earliest plausible year
(a policy parameter, 2000) is taken for a date. The edges — 1999-12-31 /
2000-01-01, the last day of the plan / the day after, 31 December / 1 January
of the fiscal year — through the service, the page form and the API; honest
typing ("2026-1-1") is read as the date it means.

The notices of the purchase are held to the same years: the purchase
intention, the bid deadline, a correction, a round of quotes and a framework
agreement's term."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse

from govbuy.core.errors import ApplicationError, InvalidInput
from govbuy.core.rules import RuleViolation
from govbuy.procurement import services
from govbuy.procurement.models import PurchaseProject
from govbuy.procurement.tests.test_views import form_data, requirement
from govbuy.tendering import services as tendering_services

API = "/api/v1"


def plan_line(buying, *out_years, amount="1000000.00"):
    return buying.line(amount, out_years=[{"year": y, "amount": "1"} for y in out_years] or None)


def create(buying, line, **dates):
    fields = requirement(buying.year, **dates)
    return services.create_project(
        actor=buying.purchaser,
        budget_line=line,
        name="老年助餐服务采购",
        amount="300000.00",
        **fields,
    )


def refused_fields(exc) -> dict[str, str]:
    """field → 'invalid_input' or the rule ID that refused it."""
    if isinstance(exc, RuleViolation):
        return {v.field: v.rule for v in exc.violations}
    assert isinstance(exc, InvalidInput), exc
    return {e["field"]: "invalid_input" for e in exc.errors}


def nothing_committed(line):
    line.refresh_from_db()
    assert line.committed == 0
    assert not PurchaseProject.objects.filter(budget_line=line).exists()


# --- the service --------------------------------------------------------------------------


def test_a_term_from_0001_to_9999_is_refused_and_commits_nothing(buying):
    line = plan_line(buying, buying.year + 1)
    with pytest.raises(ApplicationError) as exc:
        create(buying, line, term_start="0001-01-01", term_end="9999-12-31")
    fields = refused_fields(exc.value)
    assert set(fields) == {"term_start", "term_end"}, fields
    nothing_committed(line)


def test_the_earliest_plausible_year_edge(buying):
    """1999-12-31 is no plausible date (a typing error, said as such); 2000-01-01
    is a date, but one this line does not fund (B5)."""
    line = plan_line(buying, buying.year + 1)
    with pytest.raises(InvalidInput) as exc:
        create(buying, line, term_start="1999-12-31")
    assert refused_fields(exc.value) == {"term_start": "invalid_input"}
    assert "2000" in exc.value.errors[0]["message"]
    with pytest.raises(RuleViolation) as exc:
        create(buying, line, term_start="2000-01-01")
    assert refused_fields(exc.value) == {"term_start": "B5"}
    nothing_committed(line)


def test_the_first_of_january_of_the_fiscal_year_is_funded_the_day_before_is_not(buying):
    line = plan_line(buying, buying.year + 1)
    with pytest.raises(RuleViolation) as exc:
        create(buying, line, term_start=f"{buying.year - 1}-12-31")
    assert refused_fields(exc.value) == {"term_start": "B5"}
    assert str(buying.year - 1) in exc.value.violations[0].message
    project = create(buying, line, term_start=f"{buying.year}-01-01")
    assert project.requirement.term_start == dt.date(buying.year, 1, 1)


def test_the_last_day_of_the_plan_is_funded_the_day_after_is_not(buying):
    """A line that funds the whole 3-year medium-term plan: its last day is the
    last day a service may run; the next day is past the plan (no plausible
    date for any line of this year), said as such."""
    y = buying.year
    line = plan_line(buying, y + 1, y + 2)
    with pytest.raises(InvalidInput) as exc:
        create(buying, line, term_end=f"{y + 3}-01-01")
    assert refused_fields(exc.value) == {"term_end": "invalid_input"}
    assert f"{y}–{y + 2}" in exc.value.errors[0]["message"]
    project = create(buying, line, term_end=f"{y + 2}-12-31")
    assert project.requirement.term_end == dt.date(y + 2, 12, 31)


def test_the_31st_of_december_of_the_lines_last_year_and_the_1st_of_january_after(buying):
    line = plan_line(buying)  # this year only
    y = buying.year
    with pytest.raises(RuleViolation) as exc:
        create(buying, line, term_start=f"{y}-07-01", term_end=f"{y + 1}-01-01")
    assert refused_fields(exc.value) == {"term_end": "B5"}
    project = create(buying, line, term_start=f"{y}-07-01", term_end=f"{y}-12-31")
    assert project.requirement.term_end == dt.date(y, 12, 31)


def test_a_year_the_line_skips_is_not_funded(buying):
    y = buying.year
    line = plan_line(buying, y + 2)  # funds this year and the year after next
    with pytest.raises(RuleViolation) as exc:
        create(buying, line, term_start=f"{y + 1}-03-01", term_end=f"{y + 1}-12-31")
    assert set(refused_fields(exc.value)) == {"term_start", "term_end"}
    nothing_committed(line)


def test_editing_a_draft_is_held_to_the_same_years(buying):
    line = plan_line(buying, buying.year + 1)
    project = create(buying, line)
    with pytest.raises(RuleViolation) as exc:
        services.update_project(
            actor=buying.purchaser, project=project, term_end=f"{buying.year + 2}-01-01"
        )
    assert refused_fields(exc.value) == {"term_end": "B5"}
    with pytest.raises(InvalidInput):
        services.update_project(actor=buying.purchaser, project=project, term_start="0001-01-01")
    project.refresh_from_db()
    assert project.requirement.term_end == dt.date(buying.year + 1, 12, 31)
    assert project.requirement.term_start == dt.date(buying.year + 1, 1, 1)


def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@pytest.mark.parametrize(
    "typed",
    ["{n}-1-1", "{n}/1/1", "{n}.01.01", "{n}年1月1日", "fullwidth", " {n}-01-01 "],
)
def test_honest_typing_is_read_as_the_date_it_means(buying, typed):
    n = buying.year + 1
    typed = _fullwidth(f"{n}-01-01") if typed == "fullwidth" else typed.format(n=n)
    project = create(buying, plan_line(buying, n), term_start=typed)
    assert project.requirement.term_start == dt.date(n, 1, 1)


@pytest.mark.parametrize("typed", ["2027-13-01", "2027-02-30", "1-1-2027", "明年一月", "20270101x"])
def test_what_is_no_date_stays_a_field_error(buying, typed):
    line = plan_line(buying, buying.year + 1)
    with pytest.raises(InvalidInput) as exc:
        create(buying, line, term_start=typed)
    assert refused_fields(exc.value) == {"term_start": "invalid_input"}


# --- the page form ------------------------------------------------------------------------


def post_form(client, buying, line, **over):
    client.force_login(buying.purchaser)
    return client.post(reverse("procurement:project_create"), form_data(buying, line, **over))


def form_refusals(response) -> set[str]:
    assert response.status_code == 200
    form = response.context["form"]
    return set(form.errors) | set(form.violations)


def test_the_form_refuses_0001_to_9999_beside_both_fields(client, buying):
    line = plan_line(buying, buying.year + 1)
    r = post_form(client, buying, line, term_start="0001-01-01", term_end="9999-12-31")
    assert {"term_start", "term_end"} <= form_refusals(r)
    nothing_committed(line)


@pytest.mark.parametrize(
    "start, end, field",
    [
        ("1999-12-31", None, "term_start"),
        ("{y_1}-12-31", None, "term_start"),
        (None, "{y2}-01-01", "term_end"),
    ],
)
def test_the_form_refuses_each_edge_beside_its_field(client, buying, start, end, field):
    y = buying.year
    names = {"y_1": y - 1, "y2": y + 2}
    over = {}
    if start:
        over["term_start"] = start.format(**names)
    if end:
        over["term_end"] = end.format(**names)
    line = plan_line(buying, y + 1)
    r = post_form(client, buying, line, **over)
    assert field in form_refusals(r)
    nothing_committed(line)


def test_the_form_takes_the_edges_inside_and_honest_typing(client, buying):
    y = buying.year
    line = plan_line(buying, y + 1)
    r = post_form(client, buying, line, term_start=f"{y}-1-1", term_end=f"{y + 1}-12-31")
    assert r.status_code == 302, r.context["form"].errors if r.context else r
    req = PurchaseProject.objects.get(budget_line=line).requirement
    assert (req.term_start, req.term_end) == (dt.date(y, 1, 1), dt.date(y + 1, 12, 31))


# --- the API ------------------------------------------------------------------------------


def post_api(client, buying, line, **over):
    client.force_login(buying.purchaser)
    body = {
        "budget_line": line.pk,
        "name": "老年助餐服务采购",
        "amount": "300000.00",
        **requirement(buying.year),
        **over,
    }
    return client.post(f"{API}/projects", json.dumps(body), content_type="application/json")


def api_fields(r) -> set[str]:
    body = r.json()
    return {e["field"] for e in body.get("errors", body.get("violations", []))}


def test_the_api_refuses_0001_to_9999_with_field_errors(client, buying):
    line = plan_line(buying, buying.year + 1)
    r = post_api(client, buying, line, term_start="0001-01-01", term_end="9999-12-31")
    assert r.status_code == 422, r.content
    assert {"term_start", "term_end"} <= api_fields(r)
    nothing_committed(line)


@pytest.mark.parametrize(
    "over, field, code",
    [
        ({"term_start": "1999-12-31"}, "term_start", "invalid_input"),
        ({"term_start": "{y_1}-12-31"}, "term_start", "rule_violation"),
        ({"term_end": "{y2}-01-01"}, "term_end", "rule_violation"),
    ],
)
def test_the_api_refuses_each_edge(client, buying, over, field, code):
    y = buying.year
    over = {k: v.format(y_1=y - 1, y2=y + 2) for k, v in over.items()}
    line = plan_line(buying, y + 1)
    r = post_api(client, buying, line, **over)
    assert r.status_code == 422, r.content
    assert r.json()["code"] == code and field in api_fields(r)
    nothing_committed(line)


def test_the_api_takes_the_edges_inside_and_honest_typing(client, buying):
    y = buying.year
    line = plan_line(buying, y + 1)
    r = post_api(client, buying, line, term_start=f"{y}-1-1", term_end=f"{y + 1}-12-31")
    assert r.status_code == 201, r.content
    assert r.json()["requirement"]["term_start"] == f"{y}-01-01"
    project = PurchaseProject.objects.get(budget_line=line)
    r = client.patch(
        f"{API}/projects/{project.pk}",
        json.dumps({"term_end": f"{y + 2}-01-01"}),
        content_type="application/json",
    )
    assert r.status_code == 422 and api_fields(r) == {"term_end"}, r.content


# --- the notices of the purchase ----------------------------------------------------------
# The tendering world (conftest): on 2026-08-03 an approved open tender of 郑州市民政局
# on a line funding 2026–2027, service term 2027-01-01 to 2027-12-31, its intention
# published; the purchase notice goes out on 2026-09-15.


def _field_error(call) -> str | None:
    try:
        call()
    except InvalidInput as exc:
        return ",".join(sorted(e["field"] for e in exc.errors))
    except RuleViolation as exc:
        return ",".join(sorted(v.field or "" for v in exc.violations))
    except ApplicationError as exc:
        return exc.field or f"(no field: {exc.message})"
    return None


def test_a_purchase_intention_expected_after_the_service_ends_is_refused(tendering, clock):
    from govbuy.procurement.tests.fixtures import approved_project

    t = tendering
    project = approved_project(t, method="open_tender", name="社区助餐第二批采购")
    for typed in ("9999-12-31", "2028-01-01"):
        assert (
            _field_error(
                lambda typed=typed: tendering_services.publish_intention(
                    actor=t.purchaser, project=project, expected_on=typed
                )
            )
            == "expected_on"
        )
    notice = tendering_services.publish_intention(
        actor=t.purchaser, project=project, expected_on="2026-9-15"
    )
    assert notice.data["expected_on"] == "2026-09-15"


@pytest.mark.parametrize(
    "deadline, refused",
    [
        ("9999-12-31T09:30", True),
        ("2028-01-01T09:30", True),  # the day after the service term and the line's years end
        ("2027-12-31T09:30", False),
        ("2026-10-12 9:30", False),  # honest typing
    ],
)
def test_a_bid_deadline_past_the_service_term_is_refused(tendering, clock, deadline, refused):
    from govbuy.tendering.tests.fixtures import start

    t = tendering
    clock.at("2026-09-15 10:00")
    found = _field_error(lambda: start(services, t, bid_deadline=deadline))
    assert (found == "bid_deadline") is refused, found


def test_a_correction_cannot_move_the_deadline_past_the_service_term(tendering, clock):
    from govbuy.tendering.tests.fixtures import start

    t = tendering
    clock.at("2026-09-15 10:00")
    tender = start(services, t)
    clock.at("2026-09-20 10:00")
    assert (
        _field_error(
            lambda: tendering_services.publish_correction(
                actor=t.purchaser,
                tender=tender,
                text="更正：延长投标截止时间。",
                affects_bids=False,
                new_bid_deadline="9999-12-31T09:30",
            )
        )
        == "new_bid_deadline"
    )
    tender.refresh_from_db()
    assert tender.bid_deadline.year == 2026


def test_a_quote_deadline_past_the_service_term_is_refused(tendering, clock):
    from govbuy.procurement.tests.fixtures import approved_project

    t = tendering
    clock.at("2026-08-03 09:30")
    project = approved_project(t, method="competitive_negotiation", name="助餐配送车辆运维服务")
    tendering_services.publish_intention(
        actor=t.purchaser, project=project, expected_on="2026-09-15"
    )
    clock.at("2026-09-15 10:00")
    tender = tendering_services.start_round(
        actor=t.purchaser, project=project, bid_deadline="2026-09-18T09:00", criteria=[]
    )
    clock.at("2026-09-17 10:00")
    for org, user, price in (
        (t.large, t.large_user, "520000.00"),
        (t.small, t.small_user, "530000.00"),
        (t.social, t.social_user, "510000.00"),
    ):
        tendering_services.submit_bid(
            actor=user,
            tender=tender,
            provider=org,
            price=price,
            technical_response="按需求提供服务，配备专职人员。",
            sme_size=org.sme_size,
        )
    clock.at("2026-09-18 09:00")
    tendering_services.open_bids(tender=tender)
    assert (
        _field_error(
            lambda: tendering_services.open_quote_round(
                actor=t.purchaser, tender=tender, deadline="9999-12-31T15:00"
            )
        )
        == "deadline"
    )
    tender = tendering_services.open_quote_round(
        actor=t.purchaser, tender=tender, deadline="2026-9-18 15:00"
    )
    assert tender.quote_round == 2


def test_a_framework_term_outside_the_lines_years_is_refused(tendering, clock):
    from govbuy.procurement.tests.fixtures import approved_project

    t = tendering
    clock.at("2026-08-03 09:30")
    project = approved_project(t, method="framework_agreement", name="居家上门助浴服务框架协议")
    tendering_services.publish_intention(
        actor=t.purchaser, project=project, expected_on="2026-09-15"
    )
    clock.at("2026-09-15 10:00")

    def start_with(term_start, term_end):
        return tendering_services.start_round(
            actor=t.purchaser,
            project=project,
            bid_deadline="2026-10-12T09:30",
            criteria=t.criteria,
            framework={
                "call_off_mode": "recipient",
                "max_members": 2,
                "term_start": term_start,
                "term_end": term_end,
            },
        )

    assert _field_error(lambda: start_with("0001-01-01", "9999-12-31")) == (
        "framework.term_end,framework.term_start"
    )
    assert _field_error(lambda: start_with("2026-11-01", "2028-01-01")) == "framework.term_end"
    tender = start_with("2026-11-1", "2027-12-31")
    assert tender.framework.term_end == dt.date(2027, 12, 31)


def test_the_api_holds_the_notices_to_the_purchases_years(client, tendering, clock):
    from govbuy.procurement.tests.fixtures import approved_project

    t = tendering
    project = approved_project(t, method="open_tender", name="社区助餐第三批采购")
    client.force_login(t.purchaser)

    def post(path, body):
        return client.post(f"{API}{path}", json.dumps(body), content_type="application/json")

    r = post(f"/projects/{project.pk}/intention", {"expected_on": "9999-12-31"})
    assert r.status_code == 422 and api_fields(r) == {"expected_on"}, r.content
    r = post(f"/projects/{project.pk}/intention", {"expected_on": "2026-9-15"})
    assert r.status_code == 201, r.content
    clock.at("2026-09-15 10:00")
    client.force_login(t.purchaser)  # the session of August has expired
    round_body = {
        "price_weight": "30",
        "criteria": [{"name": "服务方案", "points": "40"}, {"name": "团队与经验", "points": 30}],
        "qualification": "具有独立承担民事责任的能力",
        "documents": "招标文件要点",
    }
    r = post(f"/projects/{project.pk}/rounds", {**round_body, "bid_deadline": "9999-12-31T09:30"})
    assert r.status_code == 422 and api_fields(r) == {"bid_deadline"}, r.content
    r = post(f"/projects/{project.pk}/rounds", {**round_body, "bid_deadline": "2026-10-12 9:30"})
    assert r.status_code == 201, r.content
