"""Writes for users, memberships and API tokens: one transaction each, audited."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govbuy.accounts.audit_actions import AccountsAction
from govbuy.core import audit
from govbuy.core.errors import ApplicationError, NotAllowed
from govbuy.core.permissions import require_platform_admin

from .models import ROLE_ORG_FLAG, ApiToken, Membership, Role, User


@transaction.atomic
def create_user(
    *,
    actor,
    username: str,
    password: str | None,
    display_name: str = "",
    phone: str = "",
    email: str = "",
    check_password: bool = True,
) -> User:
    require_platform_admin(actor)
    username = (username or "").strip()
    if not username:
        raise ApplicationError("required", _("username is required"), field="username")
    try:
        User.username_validator(username)
    except ValidationError:
        raise ApplicationError(
            "invalid_username",
            _("Use letters, digits and @ . + - _ only, no spaces (the name may have spaces)."),
            field="username",
        ) from None
    if User.objects.filter(username__iexact=username).exists():
        raise ApplicationError("duplicate", _("username already taken"), field="username")
    user = User(username=username, display_name=display_name, phone=phone, email=email)
    if password:
        if check_password:
            try:
                validate_password(password, user)
            except ValidationError as e:
                raise ApplicationError(
                    "weak_password", " ".join(e.messages), field="password"
                ) from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    audit.record(
        actor=actor, action=AccountsAction.USER_CREATE, obj=user, data={"username": username}
    )
    return user


@transaction.atomic
def add_membership(
    *, actor, user: User, organization, role: str, title: str = "", is_manager: bool = False
) -> Membership:
    """Give a user a role in an organization; the organization must hold that
    platform role (a provider's staff cannot be given the purchaser role)."""
    require_platform_admin(actor)
    if role not in Role.values:
        raise ApplicationError(
            "invalid_role", _("unknown role %(role)s") % {"role": repr(role)}, field="role"
        )
    flag = ROLE_ORG_FLAG.get(role)
    if flag and not getattr(organization, flag):
        raise ApplicationError(
            "role_not_allowed",
            _("%(organization)s is not registered as %(role)s")
            % {"organization": organization.name, "role": role},
            field="role",
        )
    membership, created = Membership.objects.get_or_create(
        user=user,
        organization=organization,
        role=role,
        defaults={"title": title, "is_manager": is_manager},
    )
    if created:
        audit.record(
            actor=actor,
            action=AccountsAction.MEMBERSHIP_CREATE,
            obj=membership,
            data={"user": user.username, "role": role, "is_manager": is_manager},
        )
    elif not membership.is_active:  # removed before: given back
        membership.is_active = True
        membership.save(update_fields=["is_active"])
        audit.record(
            actor=actor,
            action=AccountsAction.MEMBERSHIP_REACTIVATE,
            obj=membership,
            data={"user": user.username, "role": role},
        )
    user.__dict__.pop("active_memberships", None)
    return membership


def mfa_passed(user) -> bool:
    """Whether `user` passed the second factor in this session (django-otp marks
    request.user; a user loaded any other way has not)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified and is_verified())


@transaction.atomic
def create_api_token(*, actor: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """Returns the token row and the secret, which is never stored and shown only once.

    Every token expires: after `days` (GOVBUY_API_TOKEN_DAYS when not given), at
    most GOVBUY_API_TOKEN_MAX_DAYS. A token acts without the second factor, so
    staff bound to MFA must have passed it to mint one."""
    if settings.GOVBUY_REQUIRE_MFA and actor.requires_mfa and not mfa_passed(actor):
        raise NotAllowed(_("Pass the second factor (MFA) before creating an API token."))
    name = (name or "").strip()
    if not name:
        raise ApplicationError("required", _("give the token a name"), field="name")
    days = settings.GOVBUY_API_TOKEN_DAYS if days is None else days
    longest = settings.GOVBUY_API_TOKEN_MAX_DAYS
    if not (1 <= days <= longest):
        raise ApplicationError("out_of_range", _("1–%(max)s days") % {"max": longest}, field="days")
    key = ApiToken.PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=actor,
        name=name[:100],
        key_prefix=key[:10],
        key_hash=ApiToken.hash_key(key),
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit.record(
        actor=actor,
        action=AccountsAction.API_TOKEN_CREATE,
        obj=token,
        data={"name": token.name, "days": days},
    )
    return token, key


@transaction.atomic
def revoke_api_token(*, actor: User, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, action=AccountsAction.API_TOKEN_REVOKE, obj=token)
    return token


def authenticate_token(key: str) -> User | None:
    """The user of a valid, unrevoked, unexpired token (not a write: no audit)."""
    if not key or not key.startswith(ApiToken.PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None or token.expires_at is None or token.expires_at <= timezone.now():
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def record_login(*, user: User, ip: str | None) -> None:
    with transaction.atomic():
        audit.record(actor=user, action=AccountsAction.LOGIN, obj=user, data={"ip": ip or ""})


def record_mfa(*, user: User, action: AccountsAction, device) -> None:
    with transaction.atomic():
        audit.record(actor=user, action=action, obj=user, data={"device": device.name})


# --- the platform administrator's duties -----------------------------------------------------


@transaction.atomic
def remove_membership(*, actor: User, membership: Membership) -> Membership:
    """End a role (kept inactive for the record; add_membership gives it back)."""
    require_platform_admin(actor)
    if membership.user_id == actor.pk and membership.role == Role.PLATFORM_ADMIN:
        raise ApplicationError(
            "own_admin_role",
            _("You cannot remove your own administrator role; ask another administrator."),
        )
    if membership.is_active:
        membership.is_active = False
        membership.save(update_fields=["is_active"])
        audit.record(
            actor=actor,
            action=AccountsAction.MEMBERSHIP_REMOVE,
            obj=membership,
            data={"user": membership.user.username, "role": membership.role},
        )
    membership.user.__dict__.pop("active_memberships", None)
    return membership


@transaction.atomic
def set_user_active(*, actor: User, user: User, active: bool) -> User:
    """Deactivate (no login, no API token works) or reactivate a user."""
    require_platform_admin(actor)
    if user.pk == actor.pk and not active:
        raise ApplicationError("own_account", _("You cannot deactivate your own account."))
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit.record(
            actor=actor,
            action=AccountsAction.USER_REACTIVATE if active else AccountsAction.USER_DEACTIVATE,
            obj=user,
            data={"username": user.username},
        )
    return user


@transaction.atomic
def reset_mfa(*, actor: User, user: User) -> int:
    """Delete the user's second-factor devices: the next login sets up a new one.
    Returns how many were deleted."""
    require_platform_admin(actor)
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    count = 0
    for model in (TOTPDevice, StaticDevice):
        deleted, _rows = model.objects.filter(user=user).delete()
        count += deleted
    audit.record(
        actor=actor,
        action=AccountsAction.USER_RESET_MFA,
        obj=user,
        data={"username": user.username, "devices": count},
    )
    return count


@transaction.atomic
def issue_password_link(*, actor: User, user: User) -> str:
    """A one-time link (path) with which the user sets a password. It stops
    working once used (the token covers the password hash) or after
    PASSWORD_RESET_TIMEOUT; the old password goes on working until then."""
    require_platform_admin(actor)
    from django.contrib.auth.tokens import default_token_generator
    from django.urls import reverse
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    if not user.is_active:
        raise ApplicationError("inactive", _("Reactivate the user first."))
    audit.record(
        actor=actor,
        action=AccountsAction.USER_PASSWORD_LINK,
        obj=user,
        data={"username": user.username},  # never the link: it is a credential
    )
    return reverse(
        "accounts:set_password",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )


@transaction.atomic
def unlock_login(*, actor: User, username: str) -> int:
    """Lift a login lockout (django-axes) for `username` at once, from every
    address. Returns how many attempt records were cleared."""
    require_platform_admin(actor)
    from axes.utils import reset

    username = (username or "").strip()
    if not username:
        raise ApplicationError("required", _("username is required"), field="username")
    cleared = reset(username=username)
    user = User.objects.filter(username=username).first()
    audit.record(
        actor=actor,
        action=AccountsAction.LOGIN_UNLOCK,
        obj=user,
        data={"username": username, "cleared": cleared},
    )
    return cleared
