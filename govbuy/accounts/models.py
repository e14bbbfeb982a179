import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

# Role and the role sets live in core (the bottom layer: orgs and core decide by
# role too); re-exported here for the apps above accounts.
from govbuy.core.roles import MFA_ROLES as MFA_ROLES
from govbuy.core.roles import NON_ACTING_ROLES as NON_ACTING_ROLES
from govbuy.core.roles import ROLE_ORG_FLAG as ROLE_ORG_FLAG
from govbuy.core.roles import SUPERVISING_ROLES as SUPERVISING_ROLES
from govbuy.core.roles import Role as Role


class User(AbstractUser):
    """A person. Staff of organizations hold Memberships; recipients of services
    (服务对象) are users without any membership."""

    display_name = models.CharField(_("name"), max_length=100, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)
    preferred_language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        choices=[("zh-hans", "简体中文"), ("en", "English")],
    )

    class Meta:
        verbose_name = _("用户 user")
        verbose_name_plural = _("用户 users")

    def __str__(self):
        return self.display_name or self.username

    @cached_property
    def active_memberships(self) -> list["Membership"]:
        return list(
            self.memberships.filter(is_active=True, organization__is_active=True)
            .select_related("organization__region")
            .order_by("pk")
        )

    @property
    def roles(self) -> set[str]:
        return {m.role for m in self.active_memberships}

    @property
    def is_platform_admin(self) -> bool:
        return Role.PLATFORM_ADMIN in self.roles

    @property
    def is_recipient(self) -> bool:
        return not self.active_memberships

    @property
    def requires_mfa(self) -> bool:
        return bool(self.roles & MFA_ROLES)

    def organization_ids(self) -> list[int]:
        return [
            m.organization_id for m in self.active_memberships if m.role not in NON_ACTING_ROLES
        ]

    def region_paths(self) -> list[str]:
        return [m.organization.region.path for m in self.active_memberships]

    def supervised_region_paths(self) -> list[str]:
        return [
            m.organization.region.path
            for m in self.active_memberships
            if m.role in SUPERVISING_ROLES
        ]


class MembershipQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_platform_admin:
            return self.all()
        q = models.Q(user=user) | models.Q(organization_id__in=user.organization_ids())
        for path in user.supervised_region_paths():
            q |= models.Q(organization__region__path__startswith=path)
        return self.filter(q)


class Membership(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(
        "orgs.Organization",
        on_delete=models.PROTECT,
        related_name="memberships",
        verbose_name=_("organization"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    title = models.CharField(_("position"), max_length=100, blank=True)
    # 负责人: may sign off internal reviews (e.g. requirements, P7) for the organization.
    is_manager = models.BooleanField(_("manager (负责人)"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("成员 membership")
        verbose_name_plural = _("成员 memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organization", "role"], name="membership_unique"
            )
        ]

    def __str__(self):
        return f"{self.user} · {self.organization} · {self.get_role_display()}"

    @property
    def audit_organization(self):
        return self.organization


class ApiTokenQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user=user)


class ApiToken(models.Model):
    """A personal token for /api/v1 (``Authorization: Bearer gb_…``). Only its
    SHA-256 is stored; the token itself is shown once, when created."""

    PREFIX = "gb_"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    key_prefix = models.CharField(_("token starts with"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Every token expires (GOVBUY_API_TOKEN_DAYS, at most GOVBUY_API_TOKEN_MAX_DAYS).
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API 令牌 API token")
        verbose_name_plural = _("API 令牌 API tokens")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.key_prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()
