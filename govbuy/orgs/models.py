from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .validators import validate_uscc


class RegionLevel(models.TextChoices):
    PROVINCE = "province", _("Province (省级)")
    CITY = "city", _("City (市级)")
    COUNTY = "county", _("County (县级)")


class RegionQuerySet(models.QuerySet):
    def subtree(self, region):
        return self.filter(path__startswith=region.path)

    def visible_to(self, user):
        """Regions a user may look at: the subtree of each membership's region,
        and the ancestors of those regions (so a county can name its province)."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_platform_admin:
            return self.all()
        q = Q(pk__in=[])
        for path in user.region_paths():
            q |= Q(path__startswith=path)
            ancestor_codes = [c for c in path.strip("/").split("/")]
            q |= Q(code__in=ancestor_codes)
        return self.filter(q)


class Region(models.Model):
    """An administrative division with its GB/T 2260 code."""

    code = models.CharField(_("GB/T 2260 code"), max_length=6, unique=True)
    name = models.CharField(_("name"), max_length=60)
    level = models.CharField(_("level"), max_length=10, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    # "/410000/410100/410122/": subtree queries are one indexed prefix match.
    path = models.CharField(max_length=40, unique=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = _("行政区划 region")
        verbose_name_plural = _("行政区划 regions")
        ordering = ["code"]

    def __str__(self):
        return self.name

    @property
    def full_name(self) -> str:
        names, r = [], self
        while r is not None:
            names.append(r.name)
            r = r.parent
        return "".join(reversed(names))

    def is_within(self, other: "Region") -> bool:
        return self.path.startswith(other.path)


class OrgType(models.TextChoices):
    ADMINISTRATIVE_ORGAN = "administrative_organ", _("Administrative organ (行政机关)")
    PEOPLES_CONGRESS = "peoples_congress", _("People's congress organ (人大机关)")
    SUPERVISORY_ORGAN = "supervisory_organ", _("Supervisory organ (监察机关)")
    COURT = "court", _("Court (审判机关)")
    PROCURATORATE = "procuratorate", _("Procuratorate (检察机关)")
    PARTY_ORGAN = "party_organ", _("Party organ (党的机关)")
    CPPCC_ORGAN = "cppcc_organ", _("CPPCC organ (政协机关)")
    DEMOCRATIC_PARTY_ORGAN = "democratic_party_organ", _("Democratic party organ (民主党派机关)")
    PUBLIC_INSTITUTION = "public_institution", _("Public institution (事业单位)")
    MASS_ORGANIZATION = "mass_organization", _("Mass organization (群团组织)")
    ENTERPRISE = "enterprise", _("Enterprise (企业)")
    SOCIAL_ORGANIZATION = "social_organization", _("Social organization (社会组织)")
    RURAL_COLLECTIVE = (
        "rural_collective",
        _("Rural collective economic organization (农村集体经济组织)"),
    )
    GRASSROOTS_AUTONOMY = (
        "grassroots_autonomy",
        _("Grassroots self-governing organization (村委会/居委会)"),
    )
    INDIVIDUAL_BUSINESS = "individual_business", _("Individual business (个体工商户)")
    NATURAL_PERSON = "natural_person", _("Natural person (自然人)")


class InstitutionClass(models.TextChoices):
    ADMINISTRATIVE = "administrative", _("Performs administrative functions (承担行政职能)")
    PUBLIC_WELFARE_1 = "public_welfare_1", _("Public welfare class 1 (公益一类)")
    PUBLIC_WELFARE_2 = "public_welfare_2", _("Public welfare class 2 (公益二类)")
    BUSINESS = "business", _("Engaged in business operations (从事生产经营活动)")
    UNCLASSIFIED = "unclassified", _("Not yet classified (尚未分类)")


class Staffing(models.TextChoices):
    ADMINISTRATIVE = "administrative", _("Administrative staffing (行政编制)")
    INSTITUTIONAL = "institutional", _("Institutional staffing (事业编制)")


class SocialOrgForm(models.TextChoices):
    SOCIAL_GROUP = "social_group", _("Social group (社会团体)")
    SOCIAL_SERVICE_AGENCY = "social_service_agency", _("Social service agency (社会服务机构)")
    FOUNDATION = "foundation", _("Foundation (基金会)")


class SmeSize(models.TextChoices):
    LARGE = "large", _("Large (大型)")
    MEDIUM = "medium", _("Medium (中型)")
    SMALL = "small", _("Small (小型)")
    MICRO = "micro", _("Micro (微型)")


class OrganizationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Own organizations; for finance and audit roles, every organization in
        their region's subtree; everything for platform administrators."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_platform_admin:
            return self.all()
        q = Q(pk__in=user.organization_ids())
        for path in user.supervised_region_paths():
            q |= Q(region__path__startswith=path)
        return self.filter(q)


class Organization(models.Model):
    name = models.CharField(_("name"), max_length=200)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="organizations", verbose_name=_("region")
    )
    uscc = models.CharField(
        _("统一社会信用代码 unified social credit code"),
        max_length=18,
        blank=True,
        validators=[validate_uscc],
        help_text=_("18 characters (GB 32100-2015). Natural persons have none."),
    )
    org_type = models.CharField(_("category"), max_length=30, choices=OrgType.choices)
    institution_class = models.CharField(
        _("public institution class"), max_length=20, choices=InstitutionClass.choices, blank=True
    )
    staffing = models.CharField(_("staffing"), max_length=20, choices=Staffing.choices, blank=True)
    fiscal_funded = models.BooleanField(_("funded by fiscal appropriation"), null=True, blank=True)
    social_org_form = models.CharField(
        _("social organization form"), max_length=30, choices=SocialOrgForm.choices, blank=True
    )
    sme_size = models.CharField(
        _("enterprise size"), max_length=10, choices=SmeSize.choices, blank=True
    )

    # 主管部门: the department a public institution answers to. P6 lets that
    # department commission its own 公益二类 unit directly (定向委托).
    competent_department = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervised_units",
        verbose_name=_("competent department (主管部门)"),
    )

    # What the organization does on the platform. S5: never both purchaser and provider.
    is_finance_bureau = models.BooleanField(_("finance bureau (财政部门)"), default=False)
    is_purchaser = models.BooleanField(_("purchaser (购买主体)"), default=False)
    is_provider = models.BooleanField(_("provider (承接主体)"), default=False)
    is_evaluator = models.BooleanField(_("third-party evaluator (第三方评价)"), default=False)
    is_audit_office = models.BooleanField(_("audit office (审计机关)"), default=False)

    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("组织 organization")
        verbose_name_plural = _("组织 organizations")
        ordering = ["region__code", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["uscc"], condition=~Q(uscc=""), name="organization_uscc_unique"
            ),
            models.CheckConstraint(
                condition=~(Q(is_purchaser=True) & Q(is_provider=True)),
                name="organization_s5_not_purchaser_and_provider",
            ),
            models.CheckConstraint(
                condition=Q(org_type="public_institution") | Q(institution_class=""),
                name="organization_institution_class_only_for_public_institutions",
            ),
            models.CheckConstraint(
                condition=~Q(org_type="public_institution") | ~Q(institution_class=""),
                name="organization_public_institution_has_class",
            ),
            models.CheckConstraint(
                condition=~Q(org_type="natural_person") | Q(uscc=""),
                name="organization_natural_person_has_no_uscc",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def audit_organization(self):
        return self

    @property
    def platform_roles(self) -> list[str]:
        flags = [
            ("finance", self.is_finance_bureau),
            ("purchaser", self.is_purchaser),
            ("provider", self.is_provider),
            ("evaluator", self.is_evaluator),
            ("auditor", self.is_audit_office),
        ]
        return [name for name, on in flags if on]
