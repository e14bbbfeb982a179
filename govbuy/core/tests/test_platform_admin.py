"""The platform administrator runs the platform and never acts in a business role
(DESIGN.md; issue 11 item 9). It approved a catalog adjustment, approved a
requirements review, created a purchase committing a department's budget,
copied a catalog, edited a budget line and a provider's compliance profile:
each is now refused through the service, the API and the page, with the reason,
nothing changed and no audit event of the action. Its reads stay."""

import json
from types import SimpleNamespace

import pytest
from django.utils import translation

from govbuy.budgets import services as budgets
from govbuy.budgets.models import BudgetLine
from govbuy.catalog import services as catalog
from govbuy.catalog.models import AdjustmentStatus, Catalog, CatalogAdjustment
from govbuy.core.errors import NotAllowed
from govbuy.core.models import AuditEvent
from govbuy.orgs import services as orgs
from govbuy.orgs.models import ProviderCompliance
from govbuy.procurement import services as procurement
from govbuy.procurement.models import ProjectStatus, PurchaseProject
from govbuy.procurement.tests.test_views import make_project, new_line, requirement, submitted

ADMIN_REFUSAL = "The platform administrator does not act for"
COMPLIANCE = {
    "independent_civil_liability": True,
    "good_tax_record": True,
    "good_social_insurance_record": True,
    "established_on": "2015-03-01",
}
REVIEW = {"approve": True, "complete": True, "compliant": True, "reasonable": True}


@pytest.fixture(autouse=True)
def english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def w(buying, make_org, make_user):
    """`buying` with the administrator (a membership on 河南省财政厅, as in the demo),
    a proposal awaiting 河南's approval, a project awaiting review, an approved
    line with money to commit, a draft line and a provider without a profile."""
    admin = make_user("platform_admin", buying.hn)
    adjustment = catalog.propose_adjustment(
        actor=buying.purchaser,
        proposer=buying.dept,
        action="add",
        parent_code="A05",
        fields={"name": "老年人智能技术运用培训服务"},
        reason="数字鸿沟",
    )
    line = new_line(buying)
    draft = buying.line("200000.00", approve=False, name="社区助浴服务")
    provider = make_org(
        "郑州某养老服务有限公司（管理员）", "410100", "enterprise", is_provider=True
    )
    return SimpleNamespace(
        **vars(buying),
        admin=admin,
        adjustment=adjustment,
        catalog=adjustment.catalog,
        review=submitted(buying, make_project(buying, name="需求待审的采购")),
        open_line=line,
        draft=draft,
        provider=provider,
        provider_user=make_user("provider", provider),
    )


def _state(w) -> dict:
    """Everything the six actions would change."""
    w.open_line.refresh_from_db()
    w.draft.refresh_from_db()
    return {
        "adjustment": CatalogAdjustment.objects.get(pk=w.adjustment.pk).status,
        "review": PurchaseProject.objects.get(pk=w.review.pk).status,
        "projects": PurchaseProject.objects.count(),
        "committed": w.open_line.committed,
        "catalogs": Catalog.objects.count(),
        "draft": (w.draft.name, w.draft.amount),
        "compliance": ProviderCompliance.objects.filter(organization=w.provider).exists(),
    }


# (name, the audit action it would write, service call, API call, page POST)
ACTIONS = [
    (
        "approve a catalog adjustment",
        "catalog.adjustment.approve",
        lambda w: catalog.approve_adjustment(actor=w.admin, adjustment=w.adjustment),
        lambda w: ("post", f"/catalog/adjustments/{w.adjustment.pk}/approve", {}),
        lambda w: (f"/catalog/adjustments/{w.adjustment.pk}/decide/", {"decision": "approve"}),
    ),
    (
        "approve a requirements review",
        "procurement.requirements.approve",
        lambda w: procurement.review_requirements(actor=w.admin, project=w.review, **REVIEW),
        lambda w: ("post", f"/projects/{w.review.pk}/review", REVIEW),
        lambda w: (f"/procurement/{w.review.pk}/review/", {**REVIEW, "decision": "approve"}),
    ),
    (
        "create a purchase committing a department's budget",
        "procurement.project.create",
        lambda w: procurement.create_project(
            actor=w.admin,
            budget_line=w.open_line,
            name="管理员发起的采购",
            amount="300000.00",
            **requirement(w.year),
        ),
        lambda w: (
            "post",
            "/projects",
            {
                "budget_line": w.open_line.pk,
                "name": "管理员发起的采购",
                "amount": "300000.00",
                **requirement(w.year),
            },
        ),
        lambda w: (
            "/procurement/new/",
            {
                "budget_line": w.open_line.pk,
                "name": "管理员发起的采购",
                "amount": "300000.00",
                **requirement(w.year),
            },
        ),
    ),
    (
        "copy a catalog",
        "catalog.catalog.copy",
        lambda w: catalog.copy_catalog(actor=w.admin, source=w.catalog, year=w.year + 1),
        lambda w: ("post", f"/catalog/catalogs/{w.catalog.pk}/copy", {"year": w.year + 1}),
        lambda w: (
            "/catalog/manage/",
            {"source": w.catalog.pk, "year": w.year + 1, "name": "管理员复制的目录"},
        ),
    ),
    (
        "edit a budget line",
        "budgets.line.update",
        lambda w: budgets.update_line(actor=w.admin, line=w.draft, name="管理员改过的名称"),
        lambda w: ("patch", f"/budget-lines/{w.draft.pk}", {"name": "管理员改过的名称"}),
        lambda w: (f"/budgets/{w.draft.pk}/edit/", {"name": "管理员改过的名称"}),
    ),
    (
        "edit a provider's compliance profile",
        "orgs.compliance.declare",
        lambda w: orgs.declare_compliance(actor=w.admin, organization=w.provider, **COMPLIANCE),
        lambda w: ("put", f"/organizations/{w.provider.pk}/compliance", COMPLIANCE),
        lambda w: (f"/orgs/{w.provider.pk}/compliance/", {k: "on" for k in COMPLIANCE}),
    ),
]
IDS = [a[0] for a in ACTIONS]


def _events(action) -> int:
    return AuditEvent.objects.filter(action=action).count()


@pytest.mark.parametrize(("name", "event", "service", "api", "page"), ACTIONS, ids=IDS)
def test_the_service_refuses_the_administrator(w, name, event, service, api, page):
    before, events = _state(w), _events(event)
    with pytest.raises(NotAllowed) as refused:
        service(w)
    assert ADMIN_REFUSAL in refused.value.message
    assert (_state(w), _events(event)) == (before, events)


@pytest.mark.parametrize(("name", "event", "service", "api", "page"), ACTIONS, ids=IDS)
def test_the_api_refuses_the_administrator(client, w, name, event, service, api, page):
    client.force_login(w.admin)
    method, path, body = api(w)
    before, events = _state(w), _events(event)
    response = getattr(client, method)(
        f"/api/v1{path}", data=json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 403, response.content
    assert ADMIN_REFUSAL in response.json()["errors"][0]["message"]
    assert (_state(w), _events(event)) == (before, events)


@pytest.mark.parametrize(("name", "event", "service", "api", "page"), ACTIONS, ids=IDS)
def test_the_page_refuses_the_administrator(client, w, name, event, service, api, page):
    client.force_login(w.admin)
    path, data = page(w)
    before, events = _state(w), _events(event)
    assert client.post(path, data).status_code == 403
    assert (_state(w), _events(event)) == (before, events)


def test_the_same_actions_succeed_for_the_business_users(w):
    """The refusals above are the administrator's, not the actions': the keeping
    bureau, the manager, the department and the provider do each."""
    catalog.approve_adjustment(actor=w.finance_hn, adjustment=w.adjustment)
    procurement.review_requirements(actor=w.manager, project=w.review, **REVIEW)
    make_project(w, w.open_line, name="部门发起的采购")
    catalog.copy_catalog(actor=w.finance_hn, source=w.catalog, year=w.year + 1)
    budgets.update_line(actor=w.purchaser, line=w.draft, name="部门改过的名称")
    orgs.declare_compliance(actor=w.provider_user, organization=w.provider, **COMPLIANCE)
    after = _state(w)
    assert after["adjustment"] == AdjustmentStatus.APPROVED
    assert after["review"] == ProjectStatus.APPROVED
    assert after["draft"][0] == "部门改过的名称"
    assert after["compliance"] is True
    assert BudgetLine.objects.get(pk=w.open_line.pk).committed > 0


def test_pages_offer_the_administrator_no_business_button(client, w):
    """The administrator reads the adjustment, the project, the line and the
    provider's profile, without the buttons of the bureau, the manager, the
    department or the provider."""
    client.force_login(w.admin)
    pages = {
        f"/catalog/adjustments/{w.adjustment.pk}/": f"/catalog/adjustments/{w.adjustment.pk}/decide/",
        f"/procurement/{w.review.pk}/": f"/procurement/{w.review.pk}/review/",
        f"/budgets/{w.draft.pk}/": f"/budgets/{w.draft.pk}/edit/",
        f"/budgets/{w.open_line.pk}/": "/procurement/new/",
        f"/orgs/{w.provider.pk}/": f"/orgs/{w.provider.pk}/compliance/",
    }
    for page, action in pages.items():
        response = client.get(page)
        assert response.status_code == 200, page
        assert action not in response.content.decode(), page
    for path in ("/catalog/manage/", "/catalog/inbox/", "/budgets/inbox/", "/procurement/inbox/"):
        assert client.get(path).status_code == 403, path


def test_the_administrator_keeps_its_reads(client, w):
    client.force_login(w.admin)
    for path in (
        "/catalog/adjustments",
        f"/projects/{w.review.pk}",
        f"/budget-lines/{w.draft.pk}",
        f"/organizations/{w.provider.pk}/compliance",
    ):
        assert client.get(f"/api/v1{path}").status_code == 200, path
