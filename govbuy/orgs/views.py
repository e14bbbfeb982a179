from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from . import selectors
from .models import OrgType


@login_required
def organization_list(request):
    q = request.GET.get("q", "").strip()
    role = request.GET.get("role") or None
    qs = selectors.organizations_for_user(request.user, q=q, role=role)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "orgs/organization_list.html",
        {"page": page, "q": q, "role": role, "org_types": OrgType},
    )


@login_required
def organization_detail(request, pk: int):
    org = selectors.organization_for_user(request.user, pk)
    from .rules import OrgCategory, eligibility

    return render(
        request,
        "orgs/organization_detail.html",
        {"org": org, "eligibility": eligibility(OrgCategory.of(org))},
    )
