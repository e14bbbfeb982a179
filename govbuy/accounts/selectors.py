from govbuy.core.permissions import get_for_user_or_404

from .models import ApiToken, Membership


def active_membership(request):
    """The membership the user works in now (chosen in the header), or None for recipients."""
    user = request.user
    if not user.is_authenticated or not user.active_memberships:
        return None
    wanted = request.session.get("membership_id")
    for m in user.active_memberships:
        if m.pk == wanted:
            return m
    return user.active_memberships[0]


def memberships_for_user(user):
    return Membership.objects.visible_to(user).select_related("user", "organization__region")


def api_tokens_for_user(user):
    return ApiToken.objects.visible_to(user)


def api_token_for_user(user, pk) -> ApiToken:
    return get_for_user_or_404(ApiToken, user, pk=pk)
