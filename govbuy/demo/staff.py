"""The demo acts through the organizations' own staff, as real users would: the
platform administrator acts for no organization (core.permissions). Where a demo
organization has no printed login, a member is made for it without a password
(nobody logs in as it). Idempotent."""

from __future__ import annotations

from govbuy.accounts import services as accounts
from govbuy.accounts.models import Membership, User


def staff(org, role: str) -> User:
    """An active member of `org` in `role`: the first one, else one made for the demo."""
    found = (
        Membership.objects.filter(organization=org, role=role, is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    if found is not None:
        return found.user
    username = f"demo_{role}_{org.pk}"
    user = User.objects.filter(username=username).first() or accounts.create_user(
        actor="load_demo", username=username, password=None, display_name=f"{org.name}（工作人员）"
    )
    accounts.add_membership(actor="load_demo", user=user, organization=org, role=role)
    return user
