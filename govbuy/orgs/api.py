from ninja import Query, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from govbuy.core.api_auth import AUTH, PublicRateThrottle
from govbuy.core.errors import ApplicationError

from . import rules, selectors

router = Router(tags=["organizations"], auth=AUTH)


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent_code: str | None

    @staticmethod
    def resolve_parent_code(obj):
        return obj.parent.code if obj.parent_id else None


class RegionFilter(Schema):
    parent: str | None = None
    level: str | None = None
    q: str = ""


@router.get("/regions", response=list[RegionOut], summary="Regions visible to you")
@paginate(PageNumberPagination, page_size=100)
def list_regions(request, filters: Query[RegionFilter]):
    return selectors.regions_for_user(
        request.auth, parent_code=filters.parent, level=filters.level, q=filters.q
    ).select_related("parent")


@router.get("/regions/{code}", response=RegionOut)
def get_region(request, code: str):
    return selectors.region_for_user(request.auth, code)


class OrganizationOut(Schema):
    id: int
    name: str
    region_code: str
    region_name: str
    uscc: str
    org_type: str
    institution_class: str
    staffing: str
    fiscal_funded: bool | None
    social_org_form: str
    sme_size: str
    roles: list[str]

    @staticmethod
    def resolve_region_code(obj):
        return obj.region.code

    @staticmethod
    def resolve_region_name(obj):
        return obj.region.name

    @staticmethod
    def resolve_roles(obj):
        return obj.platform_roles


class OrganizationFilter(Schema):
    q: str = ""
    role: str | None = None
    region: str | None = None


@router.get(
    "/organizations", response=list[OrganizationOut], summary="Organizations visible to you"
)
@paginate(PageNumberPagination, page_size=50)
def list_organizations(request, filters: Query[OrganizationFilter]):
    return selectors.organizations_for_user(
        request.auth, q=filters.q, role=filters.role, region_code=filters.region
    )


@router.get("/organizations/{org_id}", response=OrganizationOut)
def get_organization(request, org_id: int):
    return selectors.organization_for_user(request.auth, org_id)


# --- public rule endpoint --------------------------------------------------------

public_router = Router(tags=["public rules"])


class EligibilityIn(Schema):
    org_type: str
    institution_class: str | None = None
    staffing: str | None = None
    fiscal_funded: bool | None = None
    social_org_form: str | None = None


class ViolationOut(Schema):
    rule: str
    severity: str
    message: str
    basis: str
    field: str | None


class RoleEligibility(Schema):
    eligible: bool
    violations: list[ViolationOut]


class EligibilityOut(Schema):
    purchaser: RoleEligibility
    provider: RoleEligibility


@public_router.post(
    "/rules/eligibility",
    response=EligibilityOut,
    auth=None,
    throttle=[PublicRateThrottle()],
    summary="May an organization of this category buy (购买主体) or provide (承接主体)? Rules S1–S5",
)
def eligibility(request, payload: EligibilityIn):
    cat = rules.OrgCategory(
        org_type=payload.org_type,
        institution_class=payload.institution_class or "",
        staffing=payload.staffing or "",
        fiscal_funded=payload.fiscal_funded,
        social_org_form=payload.social_org_form or "",
    )
    errors = rules.category_errors(cat)
    if errors:
        raise InvalidCategory(errors)
    return rules.eligibility(cat)


class InvalidCategory(ApplicationError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("invalid_input", "; ".join(errors.values()))
        self.errors = errors

    def as_body(self) -> dict:
        return {
            "code": self.code,
            "errors": [{"field": f, "message": m} for f, m in self.errors.items()],
        }
