from django.core.exceptions import ObjectDoesNotExist

from govbuy.core.permissions import get_for_user_or_404
from govbuy.core.roles import active_membership as active_membership

from .models import ApiToken, Membership


def memberships_for_user(user):
    return Membership.objects.visible_to(user).select_related("user", "organization__region")


def api_tokens_for_user(user):
    return ApiToken.objects.visible_to(user)


def api_token_for_user(user, pk) -> ApiToken:
    return get_for_user_or_404(ApiToken, user, pk=pk)


# --- for the platform administrator (callers check permissions.can_administer) ---------------


def users_for_admin(*, q: str = "", status: str = ""):
    """Every user, with memberships and whether a second factor is set up; `q`
    searches the username, name, e-mail and phone."""
    from django.db.models import Exists, OuterRef, Prefetch, Q
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from .models import User

    qs = User.objects.annotate(
        has_mfa=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
    ).prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("organization").order_by("pk"),
            to_attr="all_memberships",
        )
    )
    q = (q or "").strip()
    if q:
        qs = qs.filter(
            Q(username__icontains=q)
            | Q(display_name__icontains=q)
            | Q(email__icontains=q)
            | Q(phone__icontains=q)
        )
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "inactive":
        qs = qs.filter(is_active=False)
    return qs.order_by("username")


def user_for_admin(pk):
    from django.http import Http404

    from .models import User

    try:
        return users_for_admin().get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def membership_for_admin(pk) -> Membership:
    from django.http import Http404

    try:
        return Membership.objects.select_related("user", "organization").get(pk=pk)
    except (Membership.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def organizations_for_admin(*, q: str = "", status: str = ""):
    from django.db.models import Count, Q

    from govbuy.orgs.models import Organization

    qs = Organization.objects.select_related("region").annotate(
        members=Count("memberships", filter=Q(memberships__is_active=True))
    )
    q = (q or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(uscc__icontains=q))
    if status == "active":
        qs = qs.filter(is_active=True)
    elif status == "inactive":
        qs = qs.filter(is_active=False)
    return qs.order_by("region__code", "name")


def organization_for_admin(pk):
    from django.http import Http404

    try:
        return organizations_for_admin().get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None
