from govbuy.core.permissions import get_for_user_or_404

from .models import Organization, Region


def regions_for_user(
    user, *, parent_code: str | None = None, level: str | None = None, q: str = ""
):
    qs = Region.objects.visible_to(user)
    if parent_code:
        qs = qs.filter(parent__code=parent_code)
    if level:
        qs = qs.filter(level=level)
    if q:
        qs = qs.filter(name__icontains=q)
    return qs.order_by("code")


def region_for_user(user, code: str) -> Region:
    return get_for_user_or_404(Region, user, code=code)


def organizations_for_user(
    user, *, q: str = "", role: str | None = None, region_code: str | None = None
):
    qs = Organization.objects.visible_to(user).select_related("region")
    if q:
        qs = qs.filter(name__icontains=q)
    if role:
        field = {
            "finance": "is_finance_bureau",
            "purchaser": "is_purchaser",
            "provider": "is_provider",
            "evaluator": "is_evaluator",
            "auditor": "is_audit_office",
        }.get(role)
        if field:
            qs = qs.filter(**{field: True})
    if region_code:
        region = Region.objects.filter(code=region_code).first()
        qs = qs.filter(region__path__startswith=region.path) if region else qs.none()
    return qs.order_by("region__code", "name")


def organization_for_user(user, pk) -> Organization:
    return get_for_user_or_404(
        Organization.objects.select_related("region__parent__parent"), user, pk=pk
    )
