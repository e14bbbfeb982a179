from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# RegionLevel lives in core (core.params names it too); re-exported here.
from govbuy.core.regions import RegionLevel as RegionLevel

from .validators import validate_uscc


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
    # S11 (Q20): a 公益一类 unit is no purchaser (S3) but may buy auxiliary services
    # for its own work; as a purchaser it is held to auxiliary-service items.
    auxiliary_purchaser = models.BooleanField(
        _("buys auxiliary services for its own work only (S11)"), default=False
    )
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
            # S3 and S11: a 公益一类 unit purchases only as a buyer of auxiliary
            # services, and only a 公益一类 unit that purchases is one.
            models.CheckConstraint(
                condition=Q(auxiliary_purchaser=False)
                | (
                    Q(is_purchaser=True)
                    & Q(org_type="public_institution")
                    & Q(institution_class="public_welfare_1")
                ),
                name="organization_s11_auxiliary_purchaser_is_a_public_welfare_1_purchaser",
            ),
            models.CheckConstraint(
                condition=~(Q(institution_class="public_welfare_1") & Q(is_purchaser=True))
                | Q(auxiliary_purchaser=True),
                name="organization_s3_public_welfare_1_purchases_auxiliary_services_only",
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
            ("auxiliary_purchaser", self.auxiliary_purchaser),
            ("provider", self.is_provider),
            ("evaluator", self.is_evaluator),
            ("auditor", self.is_audit_office),
        ]
        return [name for name, on in flags if on]


class ProviderComplianceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The profile of a visible organization (own, or in a supervised region)."""
        return self.filter(organization__in=Organization.objects.visible_to(user))


class ProviderCompliance(models.Model):
    """承接主体资格条件: what a provider declares about itself so that rules S6
    (102号令 第七条 → 政府采购法 第二十二条; Q96) and, for social organizations, S7
    (Q95) can be checked at the date that matters. One row per organization; a
    provider without one has not completed its profile and may not bid."""

    organization = models.OneToOneField(
        Organization,
        on_delete=models.CASCADE,
        related_name="compliance",
        verbose_name=_("organization"),
    )
    # Shown only: no rule ever refuses an organization for being young (S7, Q96).
    established_on = models.DateField(
        _("established or registered on (成立日期)"), null=True, blank=True
    )

    # S6 (every provider)
    independent_civil_liability = models.BooleanField(
        _("able to bear civil liability independently (独立承担民事责任)"), default=False
    )
    good_tax_record = models.BooleanField(
        _("good record of paying taxes (依法纳税)"), default=False
    )
    good_social_insurance_record = models.BooleanField(
        _("good record of paying social insurance (社会保险)"), default=False
    )
    # "No serious violation in the last N years" is judged at a date, so the
    # date of the latest one is kept rather than a yes/no.
    last_serious_violation_on = models.DateField(
        _("date of the latest serious violation of law in business (重大违法记录)"),
        null=True,
        blank=True,
    )
    on_abnormal_operation_list = models.BooleanField(
        _("listed on the abnormal-operation list (经营异常名录)"), default=False
    )
    on_serious_violation_list = models.BooleanField(
        _("listed on the serious-violation list (严重违法失信名单)"), default=False
    )

    # S7 (social organizations only)
    civil_affairs_registered = models.BooleanField(
        _("registered with the civil-affairs department (民政部门登记)"), default=False
    )
    has_fixed_premises = models.BooleanField(_("fixed premises (固定办公场所)"), default=False)
    has_full_time_staff = models.BooleanField(_("full-time staff (专职工作人员)"), default=False)
    sound_governance = models.BooleanField(
        _("sound corporate governance (法人治理结构)"), default=False
    )
    sound_accounting = models.BooleanField(
        _("sound accounting and asset management (财务会计制度)"), default=False
    )
    annual_inspection_year = models.PositiveSmallIntegerField(
        _("year of the latest annual inspection or report (年检/年报)"), null=True, blank=True
    )
    annual_inspection_passed = models.BooleanField(
        _("that annual inspection was passed (年检合格)"), default=False
    )
    in_qualified_directory = models.BooleanField(
        _("in the civil-affairs directory of qualified organizations (承接资质目录)"),
        default=False,
    )

    note = models.TextField(_("note"), blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("declared by"),
    )
    declared_at = models.DateTimeField(_("declared at"), null=True, blank=True)
    # A finance bureau checked the declaration; a later declaration clears it.
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = ProviderComplianceQuerySet.as_manager()

    class Meta:
        verbose_name = _("承接主体资格条件 provider compliance")
        verbose_name_plural = _("承接主体资格条件 provider compliance")
        constraints = [
            models.CheckConstraint(
                condition=Q(annual_inspection_passed=False)
                | Q(annual_inspection_year__isnull=False),
                name="provider_compliance_passed_inspection_has_year",
            ),
        ]

    def __str__(self):
        return str(_("Compliance of %(org)s") % {"org": self.organization.name})

    @property
    def audit_organization(self):
        return self.organization


class CreditKind(models.TextChoices):
    SERIOUS_BREACH = "serious_breach", _("Serious breach of trust (严重失信)")
    BREACH = "breach", _("Breach (失信行为)")
    OTHER = "other", _("Other record (其他)")


class CreditRecordQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Records about or made by the user's own organizations, and records about
        or made by organizations in the regions a finance bureau or auditor
        supervises."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_platform_admin:
            return self.all()
        own = user.organization_ids()
        q = Q(organization_id__in=own) | Q(recording_organization_id__in=own)
        for path in user.supervised_region_paths():
            q |= Q(organization__region__path__startswith=path)
            q |= Q(recording_organization__region__path__startswith=path)
        return self.filter(q)

    def in_force(self, at):
        """Serious breaches on record at date `at`, not revoked by then, whose
        exclusion period covers it: the database form of `rules.exclusion_in_force`
        (S9), for lists and counts."""
        return self.filter(
            Q(revoked_at__isnull=True) | Q(revoked_at__date__gt=at),
            kind=CreditKind.SERIOUS_BREACH,
            recorded_at__date__lte=at,
            exclusion_from__lte=at,
            exclusion_until__gte=at,
        )


class CreditRecord(models.Model):
    """信用记录: a breach recorded into a provider's credit record by a purchaser or
    a finance bureau (102号令 第十七条; Q67). A serious breach excludes the provider
    from bidding for the period the recorder chose within the legal range
    (政府采购法 第七十七条: 1 to 3 years).

    A record is about the provider's conduct in one purchase project it took part
    in (`orgs.credit_links`), and only the parties of that purchase record it: the
    purchasing department, or the finance bureau of the provider's or of the
    project's region. When contracts exist, a nullable ``contract`` beside
    ``project`` names the contract concerned."""

    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="credit_records",
        verbose_name=_("provider"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=CreditKind.choices)
    description = models.TextField(_("what happened"))
    recording_organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="credit_records_made",
        verbose_name=_("recorded by (organization)"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    # Required for every record made since issue 11; empty only on records made
    # before (the service never writes one without it).
    project = models.ForeignKey(
        "procurement.PurchaseProject",
        on_delete=models.PROTECT,
        null=True,
        related_name="credit_records",
        verbose_name=_("project"),
    )
    project_reference = models.CharField(_("other reference"), max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    # Inclusive: the provider may not bid from the first day through the last.
    exclusion_from = models.DateField(_("excluded from"), null=True, blank=True)
    exclusion_until = models.DateField(_("excluded until (inclusive)"), null=True, blank=True)
    basis = models.CharField(_("legal basis"), max_length=300)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revoked_reason = models.TextField(_("reason for revoking"), blank=True)

    objects = CreditRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("信用记录 credit record")
        verbose_name_plural = _("信用记录 credit records")
        ordering = ["-recorded_at", "-pk"]
        indexes = [models.Index(fields=["organization", "kind"], name="credit_record_org_kind")]
        constraints = [
            models.CheckConstraint(
                condition=Q(exclusion_from__isnull=True, exclusion_until__isnull=True)
                | Q(
                    kind="serious_breach",
                    exclusion_from__isnull=False,
                    exclusion_until__isnull=False,
                    exclusion_until__gte=models.F("exclusion_from"),
                ),
                name="credit_record_exclusion_only_for_serious_breach",
            ),
            models.CheckConstraint(
                condition=~Q(kind="serious_breach") | Q(exclusion_from__isnull=False),
                name="credit_record_serious_breach_has_exclusion",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | ~Q(revoked_reason=""),
                name="credit_record_revoked_with_reason",
            ),
        ]

    def __str__(self):
        return f"{self.organization.name} · {self.get_kind_display()}"

    @property
    def audit_organization(self):
        return self.organization

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class CreditObjection(models.Model):
    """The provider's objection to a credit record about it (异议), with its reasons.
    The finance bureau that may revoke the record answers it: by revoking the
    record, or by keeping it with the reasons."""

    record = models.OneToOneField(CreditRecord, on_delete=models.PROTECT, related_name="objection")
    text = models.TextField(_("objection"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("raised by"),
    )
    raised_at = models.DateTimeField(_("raised at"))
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # Kept: the bureau kept the record; revoked: it revoked it on this objection.
    record_revoked = models.BooleanField(_("record revoked"), default=False)

    class Meta:
        verbose_name = _("信用记录异议 credit objection")
        verbose_name_plural = _("信用记录异议 credit objections")
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True) | ~Q(answer=""),
                name="credit_objection_answered_with_text",
            ),
        ]

    def __str__(self):
        return str(_("Objection to %(record)s") % {"record": self.record})

    @property
    def audit_organization(self):
        return self.record.organization

    @property
    def is_open(self) -> bool:
        return self.answered_at is None
