import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from govbuy.core import calendar
from govbuy.core.errors import ApplicationError, CalendarNotCovered
from govbuy.core.models import AuditEvent, HolidayCalendar
from govbuy.core.services import set_holiday_calendar, set_policy_parameter

# An illustrative 2027 arrangement (the real one is published by the State Council).
DAYS_2027 = """
# 元旦
2027-01-01 holiday 元旦
2027-01-02 放假 元旦
2027-01-03 holiday 元旦
2027-02-06 workday 春节调休
2027-02-07 holiday 春节
2027-02-08 holiday 春节
2027-02-09 holiday 春节
2027-02-10 holiday 春节
2027-02-11 holiday 春节
2027-02-12 holiday 春节
2027-02-13 holiday 春节
"""


@pytest.fixture
def province_finance(make_org, make_user):
    org = make_org("河南省财政厅（测试）", "410000", is_finance_bureau=True, is_purchaser=True)
    return make_user("finance", org)


def test_uncovered_year_refuses_until_entered(db):
    with pytest.raises(CalendarNotCovered):
        calendar.add_working_days(dt.date(2027, 1, 29), 3)
    set_holiday_calendar(
        actor="test", year=2027, basis="国办发明电〔2026〕X号（测试）", days_text=DAYS_2027
    )
    # Fri 2027-02-05 → Sat 02-06 is a make-up working day; 02-07..02-13 are off; Mon 02-15.
    assert calendar.add_working_days(dt.date(2027, 2, 5), 1) == dt.date(2027, 2, 6)
    assert calendar.add_working_days(dt.date(2027, 2, 5), 2) == dt.date(2027, 2, 15)
    assert calendar.add_working_days(dt.date(2026, 12, 31), 1) == dt.date(2027, 1, 4)
    event = AuditEvent.objects.get(action="core.holiday_calendar.create")
    assert event.data["year"] == 2027 and len(event.data["days"]) == 11


def test_reentering_a_year_replaces_it(db):
    set_holiday_calendar(actor="test", year=2027, basis="A", days_text=DAYS_2027)
    set_holiday_calendar(actor="test", year=2027, basis="B", days_text="2027-05-03 holiday 劳动节")
    cal = HolidayCalendar.objects.get(year=2027)
    assert cal.basis == "B" and cal.days.count() == 1
    assert calendar.add_working_days(dt.date(2027, 4, 30), 1) == dt.date(2027, 5, 4)
    assert AuditEvent.objects.filter(action="core.holiday_calendar.replace").count() == 1


@pytest.mark.parametrize(
    "text, code",
    [
        ("2027-13-01 holiday", "invalid_date"),
        ("2026-10-01 holiday", "wrong_year"),
        ("2027-01-01 maybe", "invalid_kind"),
        ("2027-01-01 holiday\n2027-01-01 holiday", "duplicate"),
        ("2027-01-04 workday", "not_weekend"),
        ("# nothing", "empty"),
    ],
)
def test_bad_lines_are_refused_and_nothing_is_written(db, text, code):
    with pytest.raises(ApplicationError) as exc:
        set_holiday_calendar(actor="test", year=2027, basis="X", days_text=text)
    assert exc.value.code == code and exc.value.field == "days"
    assert not HolidayCalendar.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="core.holiday").exists()


def test_import_command(db, tmp_path):
    path = tmp_path / "2027.txt"
    path.write_text(DAYS_2027, encoding="utf-8")
    call_command("import_holiday_calendar", "2027", str(path), basis="国办发明电（测试）")
    assert HolidayCalendar.objects.get(year=2027).days.count() == 11
    path.write_text("2027-01-04 workday", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_holiday_calendar", "2027", str(path), basis="x")


def test_calendar_page_form(client, province_finance, make_org, make_user):
    client.force_login(province_finance)
    response = client.post("/calendar/enter/", {"year": "2027", "basis": "", "days": DAYS_2027})
    assert response.status_code == 200 and "basis" in response.context["form"].errors
    response = client.post(
        "/calendar/enter/",
        {"year": "2027", "basis": "国办发明电（测试）", "days": "2027-01-04 workday"},
    )
    assert response.status_code == 200 and "days" in response.context["form"].errors
    assert not HolidayCalendar.objects.exists()
    response = client.post(
        "/calendar/enter/", {"year": "2027", "basis": "国办发明电（测试）", "days": DAYS_2027}
    )
    assert response.status_code == 302
    assert HolidayCalendar.objects.filter(year=2027).exists()
    # A county finance bureau or a provider may not enter the national calendar.
    county = make_user(
        "finance", make_org("中牟县财政局（测试）", "410122", is_finance_bureau=True)
    )
    client.force_login(county)
    assert client.get("/calendar/enter/").status_code == 403


def test_set_policy_parameter(db, region):
    row = set_policy_parameter(
        actor="test",
        key="procurement.decentralized_threshold",
        value="400000.00",
        effective_from=dt.date(2026, 1, 1),
        basis="测试文件",
        region=region("410122"),
    )
    from govbuy.core import params

    assert params.get(
        "procurement.decentralized_threshold", region("410122"), dt.date(2026, 6, 1)
    ) == Decimal(row.value)
    for kwargs, field in [
        ({"key": "nope"}, "key"),
        ({"value": "abc"}, "value"),
        ({"value": "-1"}, "value"),
        ({"basis": " "}, "basis"),
        ({"level": "village"}, "level"),
        ({}, "effective_from"),  # same key, region, level and date again
    ]:
        args = {
            "key": "procurement.decentralized_threshold",
            "value": "400000.00",
            "effective_from": dt.date(2026, 1, 1),
            "basis": "测试文件",
            "region": region("410122"),
            **kwargs,
        }
        with pytest.raises(ApplicationError) as exc:
            set_policy_parameter(actor="test", **args)
        assert exc.value.field == field


def test_audit_data_with_a_nul_character_is_stored_and_verifies(db):
    from django.db import transaction

    from govbuy.core import audit
    from govbuy.core.tests.sample_actions import SampleAction

    with transaction.atomic():
        event = audit.record(
            actor="test", action=SampleAction.X, data={"name": "a\x00b", "k\x00": ["c\x00"]}
        )
    event.refresh_from_db()
    assert event.data == {"name": "ab", "k": ["c"]}
    assert audit.verify_chain().ok


def test_deploy_check_refuses_a_missing_or_development_secret_key(settings):
    from govbuy.core.checks import secret_key_set

    settings.SECRET_KEY = "govbuy-insecure-development-key-never-use-in-production-0123456789"
    assert [e.id for e in secret_key_set(None)] == ["govbuy.E001"]
    settings.SECRET_KEY = "x" * 60
    assert secret_key_set(None) == []
