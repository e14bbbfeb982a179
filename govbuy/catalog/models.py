"""What may be bought: guidance catalogs (指导性目录), department catalogs
(部门目录), their adjustments (目录调整), the negative list (负面清单) and the
services 公益一类 units are funded to provide (C8).

A catalog belongs to a level (the nation, or a region whose finance bureau
keeps it) and a year. Items form a tree of any depth; removed items stay (with
``is_active=False``) so that history and old purchases still resolve.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from govbuy.core.permissions import ScopedQuerySet, org_scope_q
from govbuy.orgs.models import Organization, Region


class ServiceKind(models.TextChoices):
    """C1 (102号令 第九条): the two kinds of content a purchase may have."""

    PUBLIC = "public_service", _("Public service (公共服务)")
    AUXILIARY = "auxiliary_service", _("Auxiliary service for government duties (辅助性服务)")


class Category(models.TextChoices):
    """The six first-level categories (江苏省级 2018; 成都)."""

    BASIC_PUBLIC = "basic_public", _("Basic public services")
    SOCIAL_MANAGEMENT = "social_management", _("Social management services")
    INDUSTRY = "industry", _("Industry management and coordination services")
    TECHNICAL = "technical", _("Technical services")
    AUXILIARY = "auxiliary", _("Auxiliary services for government duties")
    OTHER = "other", _("Other services suited to social forces")


# The Chinese names that identify a first-level category in catalogs and Excel files.
CATEGORY_NAMES = {
    "基本公共服务": Category.BASIC_PUBLIC,
    "社会管理性服务": Category.SOCIAL_MANAGEMENT,
    "行业管理与协调性服务": Category.INDUSTRY,
    "技术性服务": Category.TECHNICAL,
    "政府履职所需辅助性服务": Category.AUXILIARY,
    "政府履职所需辅助性事项": Category.AUXILIARY,
    "其他适宜由社会力量承担的服务事项": Category.OTHER,
}


class CatalogStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class CatalogQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=CatalogStatus.PUBLISHED)

    def visible_to(self, user):
        """Published catalogs are public; drafts only to the bureau keeping them
        (and to supervisors of its region)."""
        q = Q(status=CatalogStatus.PUBLISHED)
        if not getattr(user, "is_authenticated", False):
            return self.filter(q)
        if user.is_platform_admin:
            return self.all()
        return self.filter(q | org_scope_q(user, own="owner_id", region_path="region__path"))


class Catalog(models.Model):
    """指导性目录: the guidance catalog of one level for one year."""

    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="catalogs",
        verbose_name=_("level (region; empty for national)"),
    )
    owner = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="catalogs",
        verbose_name=_("kept by (finance bureau)"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=12, choices=CatalogStatus.choices, default=CatalogStatus.DRAFT
    )
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies"
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = CatalogQuerySet.as_manager()

    class Meta:
        verbose_name = _("指导性目录 guidance catalog")
        verbose_name_plural = _("指导性目录 guidance catalogs")
        ordering = ["-year", "region__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "year"],
                condition=Q(region__isnull=False),
                name="catalog_one_per_region_year",
            ),
            models.UniqueConstraint(
                fields=["year"], condition=Q(region__isnull=True), name="catalog_one_national_year"
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.name}"

    @property
    def level_name(self) -> str:
        return self.region.full_name if self.region_id else str(_("National"))

    @property
    def audit_organization(self):
        return self.owner

    @property
    def is_published(self) -> bool:
        return self.status == CatalogStatus.PUBLISHED


class CatalogItem(models.Model):
    """One node of a guidance catalog. Depth 1 is one of the six categories."""

    catalog = models.ForeignKey(
        Catalog, on_delete=models.CASCADE, related_name="items", verbose_name=_("catalog")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent item"),
    )
    code = models.CharField(_("code (编码)"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description (说明)"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ServiceKind.choices)
    category = models.CharField(_("first-level category"), max_length=20, choices=Category.choices)
    procurement_code = models.CharField(
        _("procurement item code (政府采购品目)"), max_length=20, blank=True
    )
    keywords = models.CharField(_("keywords"), max_length=500, blank=True)
    depth = models.PositiveSmallIntegerField(_("level"))
    position = models.PositiveIntegerField(default=0)
    # Zero-padded positions from the root ("0001.0003.0002"): tree order is one ORDER BY.
    sort_key = models.CharField(max_length=400, db_index=True)
    is_active = models.BooleanField(_("in the catalog"), default=True)
    # Search: segmented words of name, keywords and description between spaces,
    # and the name in full pinyin and initials (see catalog/search.py).
    search_text = models.TextField(blank=True)
    name_pinyin = models.CharField(max_length=800, blank=True)
    name_initials = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("目录项 catalog item")
        verbose_name_plural = _("目录项 catalog items")
        ordering = ["sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["catalog", "code"], name="catalog_item_code_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=["public_service", "auxiliary_service"]),
                name="catalog_item_c1_kind",
            ),
        ]
        indexes = [models.Index(fields=["catalog", "is_active", "sort_key"])]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def audit_organization(self):
        return self.catalog.owner

    @property
    def keyword_list(self) -> list[str]:
        return [k for k in self.keywords.split() if k]


class ChangeAction(models.TextChoices):
    ADDED = "added", _("Added")
    CHANGED = "changed", _("Changed")
    REMOVED = "removed", _("Removed")
    IMPORTED = "imported", _("Imported")


class CatalogItemChange(models.Model):
    """History of a catalog item: who changed it, when, why, and what it was."""

    catalog = models.ForeignKey(Catalog, on_delete=models.CASCADE, related_name="changes")
    item = models.ForeignKey(
        CatalogItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="changes"
    )
    code = models.CharField(_("code"), max_length=40)
    action = models.CharField(_("change"), max_length=12, choices=ChangeAction.choices)
    before = models.JSONField(default=dict, blank=True)
    after = models.JSONField(default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    adjustment = models.ForeignKey(
        "CatalogAdjustment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="changes",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    actor_repr = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("目录变更记录 catalog change")
        verbose_name_plural = _("目录变更记录 catalog changes")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.code} {self.action}"


class DepartmentCatalogStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Awaiting finance approval")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for revision")


class DepartmentCatalogQuerySet(ScopedQuerySet, models.QuerySet):
    own_field = "organization_id"
    region_path_field = "organization__region__path"


class DepartmentCatalog(models.Model):
    """部门目录 (C5): a purchasing department's own catalog, compiled within its
    level's guidance catalog and approved by the finance bureau before use."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="department_catalogs",
        verbose_name=_("department"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    within = models.ForeignKey(
        Catalog,
        on_delete=models.PROTECT,
        related_name="department_catalogs",
        verbose_name=_("within guidance catalog"),
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=DepartmentCatalogStatus.choices,
        default=DepartmentCatalogStatus.DRAFT,
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decision_note = models.TextField(_("finance bureau's note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = DepartmentCatalogQuerySet.as_manager()

    class Meta:
        verbose_name = _("部门目录 department catalog")
        verbose_name_plural = _("部门目录 department catalogs")
        ordering = ["-year", "organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year"], name="department_catalog_one_per_year"
            )
        ]

    def __str__(self):
        return f"{self.year} {self.organization}"

    @property
    def audit_organization(self):
        return self.organization

    @property
    def is_editable(self) -> bool:
        return self.status in (DepartmentCatalogStatus.DRAFT, DepartmentCatalogStatus.RETURNED)


class DepartmentCatalogItem(models.Model):
    department_catalog = models.ForeignKey(
        DepartmentCatalog, on_delete=models.CASCADE, related_name="items"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )
    guidance_item = models.ForeignKey(
        CatalogItem,
        on_delete=models.PROTECT,
        related_name="department_items",
        verbose_name=_("guidance-catalog item it is or falls within"),
    )
    code = models.CharField(_("code (编码)"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description (说明)"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ServiceKind.choices)
    depth = models.PositiveSmallIntegerField(_("level"))
    position = models.PositiveIntegerField(default=0)
    sort_key = models.CharField(max_length=400)

    class Meta:
        verbose_name = _("部门目录项 department catalog item")
        verbose_name_plural = _("部门目录项 department catalog items")
        ordering = ["sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["department_catalog", "code"], name="department_item_code_unique"
            )
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class AdjustmentAction(models.TextChoices):
    ADD = "add", _("Add an item")
    CHANGE = "change", _("Change an item")
    REMOVE = "remove", _("Remove an item")


class AdjustmentOrigin(models.TextChoices):
    PROPOSAL = "proposal", _("Department proposal")
    CONSENT = "consent", _("Purchase outside the catalog with finance consent (C4)")
    FINANCE = "finance", _("Finance bureau's own edit")


class AdjustmentStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting finance approval")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class CatalogAdjustmentQuerySet(ScopedQuerySet, models.QuerySet):
    own_field = "proposer_id"
    region_path_field = "proposer__region__path"


class CatalogAdjustment(models.Model):
    """目录调整: a proposal to add, change or remove a guidance-catalog item (C4, C6)."""

    catalog = models.ForeignKey(
        Catalog,
        on_delete=models.PROTECT,
        related_name="adjustments",
        verbose_name=_("catalog"),
    )
    target_year = models.PositiveSmallIntegerField(_("enters the catalog of year"))
    # Empty only for the platform admin's edits of the national catalog.
    proposer = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="catalog_adjustments",
        verbose_name=_("proposed by"),
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(_("change"), max_length=10, choices=AdjustmentAction.choices)
    origin = models.CharField(
        _("origin"), max_length=10, choices=AdjustmentOrigin.choices, default="proposal"
    )
    # change/remove: the item; add: where the new item goes (null = a new first level).
    item_code = models.CharField(_("item code"), max_length=40, blank=True)
    parent_code = models.CharField(_("parent item code"), max_length=40, blank=True)
    code = models.CharField(_("code (编码)"), max_length=40, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    description = models.TextField(_("description (说明)"), blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ServiceKind.choices, blank=True)
    procurement_code = models.CharField(
        _("procurement item code (政府采购品目)"), max_length=20, blank=True
    )
    keywords = models.CharField(_("keywords"), max_length=500, blank=True)
    reason = models.TextField(_("reason"))
    expert_review = models.FileField(
        _("expert review (optional)"), upload_to="catalog/expert-reviews/%Y/", blank=True
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=AdjustmentStatus.choices,
        default=AdjustmentStatus.SUBMITTED,
    )
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("finance bureau's note"), blank=True)
    applied_at = models.DateTimeField(_("entered the catalog at"), null=True, blank=True)
    created_at = models.DateTimeField(_("proposed at"), auto_now_add=True)

    objects = CatalogAdjustmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("目录调整 catalog adjustment")
        verbose_name_plural = _("目录调整 catalog adjustments")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "target_year"])]

    def __str__(self):
        return f"{self.get_action_display()} {self.code or self.item_code} {self.name}".strip()

    @property
    def audit_organization(self):
        return self.proposer


class OutOfCatalogConsent(models.Model):
    """C4: the finance bureau's recorded consent to buy a service outside the
    catalog; it creates the adjustment that adds the service at the next adjustment."""

    purchaser = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="out_of_catalog_consents"
    )
    finance_bureau = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("service"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    reason = models.TextField(_("reason for consent"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    adjustment = models.OneToOneField(
        CatalogAdjustment, on_delete=models.PROTECT, related_name="consent"
    )

    class Meta:
        verbose_name = _("目录外购买同意 consent to buy outside the catalog")
        verbose_name_plural = _("目录外购买同意 consents to buy outside the catalog")
        ordering = ["-granted_at"]

    def __str__(self):
        return self.title

    @property
    def audit_organization(self):
        return self.purchaser


class NegativeClause(models.TextChoices):
    ART10_1 = "art10_1", _("102号令 第十条（一） not a government duty")
    ART10_2 = "art10_2", _("102号令 第十条（二） duty the government performs itself")
    ART10_3 = "art10_3", _("102号令 第十条（三） goods and works")
    ART10_4 = "art10_4", _("102号令 第十条（四） financing")
    ART10_5 = "art10_5", _("102号令 第十条（五） hiring, labour dispatch, public-welfare posts")
    ART10_6 = "art10_6", _("102号令 第十条（六） other items barred by law")
    CAIYU_2017_87 = "caiyu_2017_87", _("财预〔2017〕87号 barred works and financing")
    LOCAL = "local", _("Local addition")

    @classmethod
    def rule_for(cls, clause: str) -> str:
        if clause.startswith("art10_"):
            return "C2"
        return "C3" if clause == cls.CAIYU_2017_87 else "C7"


class NegativeListItem(models.Model):
    """负面清单 (C2, C3, C7): a service that must not be bought. National items
    have no region; a region's list applies to it and every region below it."""

    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="negative_list_items",
        verbose_name=_("region (empty for national)"),
    )
    key = models.SlugField(_("key"), max_length=60)
    clause = models.CharField(_("clause"), max_length=20, choices=NegativeClause.choices)
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    description = models.TextField(_("why it is barred"))
    description_en = models.TextField(_("why it is barred (English)"), blank=True)
    basis = models.CharField(_("legal basis"), max_length=300)
    phrases = models.TextField(
        _("matching phrases"),
        blank=True,
        help_text=_("One pattern per line, e.g. 招聘 + 编外人员|工作人员"),
    )
    unless = models.TextField(
        _("exceptions"),
        blank=True,
        help_text=_("One pattern per line; a match next to one of these is not a violation."),
    )
    is_active = models.BooleanField(_("in force"), default=True)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("负面清单事项 negative-list item")
        verbose_name_plural = _("负面清单 negative list")
        ordering = ["region__code", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["key"], name="negative_list_key_unique"),
        ]

    def __str__(self):
        return self.title

    @property
    def rule(self) -> str:
        return NegativeClause.rule_for(self.clause)

    @property
    def phrase_list(self) -> list[str]:
        return [p.strip() for p in self.phrases.splitlines() if p.strip()]

    @property
    def unless_list(self) -> list[str]:
        return [p.strip() for p in self.unless.splitlines() if p.strip()]


class PublicUnitService(models.Model):
    """C8: a service a 公益一类 unit is funded to provide. Buying it from others
    is allowed only when that unit cannot meet demand (warned, never silent)."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        related_name="public_unit_services",
        verbose_name=_("公益一类 unit"),
    )
    item_code = models.CharField(_("catalog item code"), max_length=40)
    name = models.CharField(_("service"), max_length=200)
    capacity_note = models.CharField(_("capacity"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("公益一类单位服务 service of a 公益一类 unit")
        verbose_name_plural = _("公益一类单位服务 services of 公益一类 units")
        ordering = ["organization__name", "item_code"]

    def __str__(self):
        return f"{self.organization}: {self.name}"
