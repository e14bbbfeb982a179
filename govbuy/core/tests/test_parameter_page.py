import datetime as dt
from decimal import Decimal

from govbuy.core import params
from govbuy.core.models import AuditEvent, PolicyParameter


def test_finance_adds_a_value_for_its_region(client, finance_zz, region):
    client.force_login(finance_zz)
    assert client.get("/parameters/add/").status_code == 200
    response = client.post(
        "/parameters/add/",
        {
            "key": "procurement.decentralized_threshold",
            "value": "800000.00",
            "level": "county",
            "effective_from": "2026-01-01",
            "basis": "郑财购〔2025〕1号（测试）",
        },
    )
    assert response.status_code == 302
    row = PolicyParameter.objects.get(basis="郑财购〔2025〕1号（测试）")
    assert row.region.code == "410100" and row.level == "county"
    # 中牟县 (a county of 郑州) now uses it; 郑州 itself and 洛阳's counties do not.
    at = dt.date(2026, 3, 1)
    assert params.get("procurement.decentralized_threshold", region("410122"), at) == Decimal(
        "800000.00"
    )
    assert params.get("procurement.decentralized_threshold", region("410100"), at) == Decimal(
        "1000000.00"
    )
    assert params.get("procurement.decentralized_threshold", region("410325"), at) == Decimal(
        "300000.00"
    )
    assert AuditEvent.objects.filter(action="core.policy_parameter.create").count() == 1


def test_bad_value_is_refused_with_a_field_error(client, finance_zz):
    client.force_login(finance_zz)
    before = PolicyParameter.objects.count()
    response = client.post(
        "/parameters/add/",
        {
            "key": "share.social_org_min",
            "value": "30%",
            "effective_from": "2026-01-01",
            "basis": "测试",
        },
    )
    assert response.status_code == 200
    assert "value" in response.context["form"].errors
    assert PolicyParameter.objects.count() == before


def test_only_finance_may_add(client, make_org, make_user):
    provider = make_user(
        "provider", make_org("某服务公司", org_type="enterprise", is_provider=True)
    )
    client.force_login(provider)
    assert client.get("/parameters/add/").status_code == 403


def test_the_platform_administrator_adds_a_national_default(client, make_org, make_user, region):
    admin = make_user("platform_admin", make_org("平台运营（测）", "410000"))
    client.force_login(admin)
    page = client.get("/parameters/")
    assert 'href="/parameters/add/"' in page.content.decode()
    assert page.context["region"] is None  # the national defaults
    response = client.post(
        "/parameters/add/",
        {
            "key": "procurement.decentralized_threshold",
            "value": "1200000",
            "effective_from": "2027-01-01",
            "basis": "国办发〔2026〕99号（测试）",
        },
    )
    assert response.status_code == 302
    row = PolicyParameter.objects.get(basis="国办发〔2026〕99号（测试）")
    assert row.region is None and row.level == ""
    # The national default moves; 郑州's own value still wins there.
    at = dt.date(2027, 3, 1)
    assert params.get("procurement.decentralized_threshold", None, at) == Decimal("1200000")
    assert params.get("procurement.decentralized_threshold", region("410100"), at) == Decimal(
        "1000000.00"
    )
    assert AuditEvent.objects.filter(action="core.policy_parameter.create").count() == 1


def test_a_purchaser_sees_no_add_button_and_may_not_add(client, make_org, make_user):
    purchaser = make_user("purchaser", make_org("某局（测）", "410100", is_purchaser=True))
    client.force_login(purchaser)
    assert 'href="/parameters/add/"' not in client.get("/parameters/").content.decode()
    assert client.get("/parameters/add/").status_code == 403
