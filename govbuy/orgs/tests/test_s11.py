"""S11 (Q20): a 公益一类 unit is no purchaser of government-purchased services
(S3), yet it may buy auxiliary services for its own work. The allowance is
narrow and explicit: the organization is registered as a purchaser of
auxiliary services only (``auxiliary_purchaser``); S3 still refuses it as an
ordinary purchaser and as a provider, and no other category gets the allowance."""

import pytest
from django.db import IntegrityError, transaction

from govbuy.accounts import services as accounts
from govbuy.core.errors import ApplicationError
from govbuy.core.rules import RuleViolation
from govbuy.orgs import rules, services
from govbuy.orgs.models import Organization

PW1 = {"org_type": "public_institution", "institution_class": "public_welfare_1"}


def _rules(exc):
    return sorted({v.rule for v in exc.violations})


def test_s3_still_refuses_a_public_welfare_1_unit_as_an_ordinary_purchaser(make_org):
    with pytest.raises(RuleViolation) as exc:
        make_org("郑州市疾病预防控制中心（S3）", **PW1, is_purchaser=True)
    assert _rules(exc.value) == ["S3"]
    assert (
        "auxiliary" in exc.value.violations[0].message or "辅助" in exc.value.violations[0].message
    )


def test_s11_a_public_welfare_1_unit_registers_as_a_purchaser_of_auxiliary_services(
    make_org, make_user
):
    cdc = make_org(
        "郑州市疾病预防控制中心（S11）", **PW1, is_purchaser=True, auxiliary_purchaser=True
    )
    assert cdc.is_purchaser and cdc.auxiliary_purchaser
    assert "auxiliary_purchaser" in cdc.platform_roles
    # Its staff may act as purchasers (for auxiliary services only: the budget and
    # procurement services hold them to it).
    user = make_user("purchaser", cdc)
    assert user.active_memberships[0].organization == cdc


def test_s3_still_refuses_it_as_a_provider(make_org):
    with pytest.raises(RuleViolation) as exc:
        make_org(
            "郑州市疾病预防控制中心（承接）", **PW1, is_provider=True, auxiliary_purchaser=True
        )
    assert "S3" in _rules(exc.value)


@pytest.mark.parametrize(
    "category",
    [
        {"org_type": "administrative_organ"},
        {"org_type": "public_institution", "institution_class": "public_welfare_2"},
        {"org_type": "mass_organization", "staffing": "institutional", "fiscal_funded": True},
        {"org_type": "enterprise"},
    ],
)
def test_the_allowance_is_for_public_welfare_1_units_only(make_org, category):
    with pytest.raises((RuleViolation, ApplicationError)) as exc:
        make_org("某单位（S11）", **category, is_purchaser=True, auxiliary_purchaser=True)
    field = (
        exc.value.violations[0].field if isinstance(exc.value, RuleViolation) else exc.value.field
    )
    assert field in ("auxiliary_purchaser", "staffing", "fiscal_funded", "org_type")
    assert not Organization.objects.filter(name="某单位（S11）").exists()


def test_the_allowance_is_given_and_taken_back_through_the_platform_roles(make_org):
    cdc = make_org("郑州市疾病预防控制中心（角色）", **PW1)
    with pytest.raises(RuleViolation):
        services.set_platform_roles(actor="test", organization=cdc, is_purchaser=True)
    services.set_platform_roles(
        actor="test", organization=cdc, is_purchaser=True, auxiliary_purchaser=True
    )
    cdc.refresh_from_db()
    assert cdc.is_purchaser and cdc.auxiliary_purchaser
    # Dropping the allowance while staying a purchaser is S3 again.
    with pytest.raises(RuleViolation):
        services.set_platform_roles(actor="test", organization=cdc, auxiliary_purchaser=False)
    services.set_platform_roles(
        actor="test", organization=cdc, is_purchaser=False, auxiliary_purchaser=False
    )
    cdc.refresh_from_db()
    assert not cdc.is_purchaser and not cdc.auxiliary_purchaser


def test_the_database_refuses_an_ordinary_purchaser_flag_on_a_public_welfare_1_unit(make_org):
    cdc = make_org("郑州市疾病预防控制中心（库）", **PW1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.filter(pk=cdc.pk).update(is_purchaser=True)
    other = make_org("郑州市民政局（库）", is_purchaser=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.filter(pk=other.pk).update(auxiliary_purchaser=True)


def test_an_auxiliary_purchaser_is_no_competent_department(make_org):
    cdc = make_org(
        "郑州市疾病预防控制中心（主管）", **PW1, is_purchaser=True, auxiliary_purchaser=True
    )
    with pytest.raises(ApplicationError) as exc:
        make_org(
            "某公益二类单位",
            org_type="public_institution",
            institution_class="public_welfare_2",
            competent_department=cdc,
            is_provider=True,
        )
    assert exc.value.field == "competent_department"


def test_a_plain_public_welfare_1_unit_gets_no_purchaser_membership(make_org, make_user):
    cdc = make_org("郑州市疾病预防控制中心（成员）", **PW1)
    user = make_user()
    with pytest.raises(ApplicationError):
        accounts.add_membership(actor="test", user=user, organization=cdc, role="purchaser")


# --- the rule itself (pure) -------------------------------------------------------------------


def test_s11_rule_refuses_public_services_and_warns_on_the_units_main_function():
    own = [("A0702", "核酸检测")]
    found = rules.auxiliary_purchase_violations(
        unit_name="疾控中心",
        item_kind="public_service",
        item_code="A0702",
        item_name="核酸检测",
        text="",
        own_services=own,
    )
    assert [(v.rule, v.severity, v.field) for v in found] == [("S3", "hard", "catalog_item")]
    found = rules.auxiliary_purchase_violations(
        unit_name="疾控中心",
        item_kind="auxiliary_service",
        item_code="E1502",
        item_name="档案整理与数字化服务",
        text="本中心历年检测档案整理与数字化",
        own_services=own,
    )
    assert found == []
    found = rules.auxiliary_purchase_violations(
        unit_name="疾控中心",
        item_kind="auxiliary_service",
        item_code="E1204",
        item_name="设施设备运行维护服务",
        text="承担本中心核酸检测实验室的样本检测工作",
        own_services=own,
    )
    assert [(v.rule, v.severity) for v in found] == [("S11", "warn")]
    assert "核酸检测" in found[0].message
    found = rules.auxiliary_purchase_violations(
        unit_name="疾控中心",
        item_kind="auxiliary_service",
        item_code="E0901",
        item_name="管理咨询",
        text="将本中心主要职能整体委托第三方承担",
        own_services=[],
    )
    assert [(v.rule, v.severity) for v in found] == [("S11", "warn")]
