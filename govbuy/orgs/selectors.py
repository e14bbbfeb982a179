from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q

from govbuy.core import params
from govbuy.core.permissions import acts_for, get_for_user_or_404, member_orgs
from govbuy.core.rules import Violation

from . import credit_links, rules
from .models import (
    CreditObjection,
    CreditRecord,
    Organization,
    OrgType,
    ProviderCompliance,
    Region,
)
from .permissions import finance_bureaus


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


def region_by_code(code: str) -> Region | None:
    """The region of a GB/T 2260 code, with its parents for the lineage, or None.
    Regions are public reference data: no scoping."""
    code = (code or "").strip()
    if not code:
        return None
    return Region.objects.select_related("parent__parent").filter(code=code).first()


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
        region = region_by_code(region_code)
        qs = qs.filter(region__path__startswith=region.path) if region else qs.none()
    return qs.order_by("region__code", "name")


def overseen_below_q(user, region_field: str) -> Q | None:
    """Rows whose region (``region_field``, e.g. ``"department__region"``) lies
    below the regions of the user's finance bureaus: a bureau oversees what waits
    at the bureaus below it, read-only, while the bureau of the same level decides
    (同级财政部门). None when the user acts for no finance bureau."""
    bureaus = finance_bureaus(user)
    if not bureaus:
        return None
    below = Q()
    for bureau in bureaus:
        below |= Q(**{f"{region_field}__path__startswith": bureau.region.path})
    return below & ~Q(**{f"{region_field}__in": [b.region_id for b in bureaus]})


def finance_bureaus_of(region_ids) -> dict[int, str]:
    """The name of each region's finance bureau (the one that decides there), for
    the regions that have one on the platform (one query)."""
    names: dict[int, str] = {}
    for region_id, name in (
        Organization.objects.filter(
            region_id__in=set(region_ids), is_finance_bureau=True, is_active=True
        )
        .order_by("pk")
        .values_list("region_id", "name")
    ):
        names.setdefault(region_id, name)
    return names


def organization_for_user(user, pk) -> Organization:
    return get_for_user_or_404(
        Organization.objects.select_related("region__parent__parent"), user, pk=pk
    )


# --- bidding eligibility (S2–S9) and credit -------------------------------------------


def with_bidding_facts(queryset):
    """Organizations with what `bidding_violations` reads already loaded (compliance,
    region, credit records with their recorders): checking many bidders then costs
    two queries in all, plus any policy parameter a record makes necessary."""
    return queryset.select_related("compliance", "region").prefetch_related(
        Prefetch(
            "credit_records",
            queryset=CreditRecord.objects.select_related("recording_organization", "project"),
        )
    )


def compliance_of(org) -> ProviderCompliance | None:
    """The organization's compliance declaration, or None (one query unless loaded)."""
    try:
        return org.compliance
    except ProviderCompliance.DoesNotExist:
        return None


def _credit_records_of(org) -> list[CreditRecord]:
    if "credit_records" in getattr(org, "_prefetched_objects_cache", {}):
        return list(org.credit_records.all())
    return list(
        CreditRecord.objects.filter(organization_id=org.pk).select_related(
            "recording_organization", "project"
        )
    )


def bidding_violations(org, *, at: dt.date) -> list[Violation]:
    """Everything that bars `org` from bidding on date `at`, or that the purchaser
    must see: S2–S5 (category and provider role), S6 (conditions of the procurement
    law), S7 (social organizations), S8 (natural persons: warn) and S9 (credit:
    an exclusion in force is hard, other records are reported).

    An organization that may not be a provider at all gets only that (S2–S5).
    The procurement app calls this at bid submission and ``enforce``s the result.
    Two queries (compliance, credit records), none when the organization comes from
    `with_bidding_facts`; a policy parameter is looked up only when a declared
    fact needs it."""
    cat = rules.OrgCategory.of(org)
    violations = list(rules.provider_violations(cat))
    if not violations and not org.is_provider:
        violations.append(rules.not_registered_as_provider(org.name))
    if violations:
        return violations  # not a provider at all: its profile and credit do not matter
    compliance = compliance_of(org)
    facts = rules.ComplianceFacts.of(compliance) if compliance is not None else None
    violations += rules.provider_condition_violations(
        facts,
        at=at,
        lookback=lambda: params.cite("provider.serious_violation_years", org.region, at),
    )
    if org.org_type == OrgType.SOCIAL_ORGANIZATION:
        violations += rules.social_organization_violations(
            facts,
            at=at,
            report_due=lambda: params.cite("provider.annual_report_due", org.region, at),
        )
    violations += rules.individual_violations(cat)
    violations += rules.credit_violations(
        [rules.CreditFacts.of(r) for r in _credit_records_of(org)], at=at
    )
    return violations


@dataclass(frozen=True)
class CreditEntry:
    """One line of a bidder's credit record as an evaluation panel sees it."""

    id: int
    kind: str
    kind_label: str
    description: str
    recorded_by: str
    project: str
    project_reference: str
    recorded_on: dt.date
    exclusion_from: dt.date | None
    exclusion_until: dt.date | None
    basis: str
    in_force: bool

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "kind_label": self.kind_label,
            "description": self.description,
            "recorded_by": self.recorded_by,
            "project": self.project,
            "project_reference": self.project_reference,
            "recorded_on": self.recorded_on,
            "exclusion_from": self.exclusion_from,
            "exclusion_until": self.exclusion_until,
            "basis": self.basis,
            "in_force": self.in_force,
        }


def credit_summary(org, at: dt.date) -> list[CreditEntry]:
    """The provider's credit records on record at date `at` (recorded by then, not
    revoked by then), newest first; `in_force` says whether a record excludes the
    provider on that date (S9). One query, none after `with_bidding_facts`."""
    entries = []
    for record in _credit_records_of(org):
        facts = rules.CreditFacts.of(record)
        if not facts.on_record(at):
            continue
        entries.append(
            CreditEntry(
                id=record.pk,
                kind=record.kind,
                kind_label=str(record.get_kind_display()),
                description=record.description,
                recorded_by=facts.recorded_by,
                project=f"{record.project.code} {record.project.name}" if record.project_id else "",
                project_reference=record.project_reference,
                recorded_on=facts.recorded_on,
                exclusion_from=record.exclusion_from,
                exclusion_until=record.exclusion_until,
                basis=record.basis,
                in_force=rules.exclusion_in_force(facts, at),
            )
        )
    entries.sort(key=lambda e: (e.recorded_on, e.id), reverse=True)
    return entries


RECORD_RELATED = (
    "organization__region",
    "recording_organization__region",
    "recorded_by",
    "revoked_by",
    "project",
    "objection",
)


def credit_records_for_user(user, *, organization=None, kind: str | None = None):
    """Credit records the user may see: about or made by its own organizations, and
    in the regions a finance bureau or auditor supervises."""
    qs = CreditRecord.objects.visible_to(user).select_related(*RECORD_RELATED)
    if organization is not None:
        qs = qs.filter(organization=organization)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-recorded_at", "-pk")


def credit_record_for_user(user, pk) -> CreditRecord:
    return get_for_user_or_404(CreditRecord.objects.select_related(*RECORD_RELATED), user, pk=pk)


def objection_of(record) -> CreditObjection | None:
    try:
        return record.objection
    except CreditObjection.DoesNotExist:
        return None


def provider_by_identifier(identifier: str) -> Organization | None:
    """A provider named by its unified social credit code (18 characters) or, for
    natural persons who have none, its platform number. Providers are market
    participants whose codes are public; the lookup reveals nothing else."""
    identifier = (identifier or "").strip().upper()
    qs = Organization.objects.select_related("region").filter(is_provider=True)
    if len(identifier) == 18:
        return qs.filter(uscc=identifier).first()
    if identifier.isdigit() and len(identifier) <= 12:
        return qs.filter(pk=int(identifier)).first()
    return None


def recorder_roles(user, organization) -> list[str]:
    """The roles in which `user` records credit for `organization`: purchaser of a
    purchasing department, finance of a finance bureau (never the administrator)."""
    roles = []
    if organization.is_purchaser and acts_for(user, organization, "purchaser"):
        roles.append("purchaser")
    if organization.is_finance_bureau and acts_for(user, organization, "finance"):
        roles.append("finance")
    return roles


def credit_projects(recorder, roles, provider):
    """The projects about which `recorder`, acting in `roles`, may record a breach of
    `provider`: projects the provider took part in (`credit_links`) that are the
    department's own (purchaser); for a finance bureau, those of its own region,
    and every one when the provider is of its region (同级财政部门: the bureau of
    the provider's or of the project's region, not the bureaus above)."""
    projects = credit_links.projects_of(provider)
    q = Q(pk__in=[])
    if "purchaser" in roles:
        q |= Q(department_id=recorder.pk)
    if "finance" in roles:
        if provider.region_id == recorder.region_id:
            return projects
        q |= Q(region_id=recorder.region_id)
    return projects.filter(q)


def project_concerned(provider, ref):
    """The project named by its number (项目编号) or id among those `provider` took
    part in; None when `ref` names none of them."""
    ref = str(ref or "").strip()
    if provider is None or not ref or len(ref) > 40:
        return None
    projects = credit_links.projects_of(provider)
    if ref.isdigit():
        return projects.filter(pk=int(ref)).first() if len(ref) <= 12 else None
    return projects.filter(code=ref.upper()).first()


def objections_to_answer(user):
    """Open objections to credit records the user's finance bureaus may revoke (the
    provider's or the recorder's region, or above), oldest first."""
    paths = [o.region.path for o in finance_bureaus(user)]
    if not paths:
        return CreditObjection.objects.none()
    q = Q()
    for path in paths:
        q |= Q(record__organization__region__path__startswith=path)
        q |= Q(record__recording_organization__region__path__startswith=path)
    return (
        CreditObjection.objects.filter(q, answered_at__isnull=True, record__revoked_at__isnull=True)
        .select_related("record__organization", "record__project")
        .order_by("raised_at", "pk")
    )


def records_to_see(user):
    """Credit records about the user's providers, not revoked, that they have not
    objected to: the provider is told, and may object."""
    orgs = [o.pk for o in member_orgs(user, "provider")]
    return (
        CreditRecord.objects.filter(
            organization_id__in=orgs, revoked_at__isnull=True, objection__isnull=True
        )
        .select_related("organization", "recording_organization", "project")
        .order_by("-recorded_at", "-pk")
    )


def recording_organizations(user) -> list[Organization]:
    """The purchasing departments and finance bureaus the user records credit for."""
    found = [o for o in member_orgs(user, "purchaser") if o.is_purchaser]
    found += [o for o in member_orgs(user, "finance") if o.is_finance_bureau]
    return list({o.pk: o for o in found}.values())


def mark_in_force(records, at: dt.date) -> list[CreditRecord]:
    """The records, each with ``in_force``: does it exclude its provider on `at` (S9)?"""
    records = list(records)
    for record in records:
        record.in_force = rules.exclusion_in_force(rules.CreditFacts.of(record), at)
    return records


def supervised_region_ids(user) -> list[int]:
    """The regions of the subtrees the user supervises (finance and audit roles),
    by id, read once per user object (a workbench asks for them several times)."""
    cached = getattr(user, "_supervised_region_ids", None)
    if cached is None:
        paths = user.supervised_region_paths()
        if paths:
            q = Q()
            for path in paths:
                q |= Q(path__startswith=path)
            cached = list(Region.objects.filter(q).order_by("pk").values_list("pk", flat=True))
        else:
            cached = []
        user._supervised_region_ids = cached
    return cached
