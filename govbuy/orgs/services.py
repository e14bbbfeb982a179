"""Writes for regions, organizations, provider compliance declarations and credit
records: one transaction each, rules checked, audited."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from govbuy.core import audit, params
from govbuy.core.errors import ApplicationError, InvalidInput, InvalidState, NotAllowed
from govbuy.core.permissions import (
    refuse_platform_admin,
    require_member,
    require_platform_admin,
)
from govbuy.core.roles import Role
from govbuy.core.rules import enforce
from govbuy.orgs.audit_actions import OrgsAction

from . import permissions, rules, selectors
from .models import (
    CreditKind,
    CreditObjection,
    CreditRecord,
    Organization,
    OrgType,
    ProviderCompliance,
    Region,
    RegionLevel,
)
from .validators import uscc_error

REGIONS_FILE = Path(__file__).resolve().parent / "data" / "regions.json"


def load_regions(using: str = "default") -> int:
    """Load the GB/T 2260 tree once (reference data, not an audited write).

    One bulk insert per depth, so that every parent has its key before its
    children are inserted."""
    if Region.objects.using(using).exists():
        return 0
    rows = json.loads(REGIONS_FILE.read_text(encoding="utf-8"))["rows"]
    by_code: dict[str, Region] = {}
    pending = rows
    with transaction.atomic(using=using):
        while pending:
            batch = []
            for code, name, parent_code in pending:
                if parent_code is not None and parent_code not in by_code:
                    continue
                parent = by_code.get(parent_code)
                if parent is None:
                    level = RegionLevel.PROVINCE
                elif parent.level == RegionLevel.PROVINCE and code.endswith("00"):
                    level = RegionLevel.CITY
                else:
                    level = RegionLevel.COUNTY
                batch.append(
                    Region(
                        code=code,
                        name=name,
                        level=level,
                        parent=parent,
                        path=(parent.path if parent else "/") + code + "/",
                    )
                )
            if not batch:
                raise ValueError(f"regions without a known parent: {pending[:3]}")
            Region.objects.using(using).bulk_create(batch)
            by_code.update((r.code, r) for r in batch)
            pending = [row for row in pending if row[0] not in by_code]
    return len(by_code)


ORG_FIELDS = (
    "name",
    "region",
    "uscc",
    "org_type",
    "institution_class",
    "staffing",
    "fiscal_funded",
    "social_org_form",
    "sme_size",
    "address",
    "contact_phone",
    "description",
    "competent_department",
)
ROLE_FLAGS = (
    "is_finance_bureau",
    "is_purchaser",
    "is_provider",
    "is_evaluator",
    "is_audit_office",
    "auxiliary_purchaser",
)


def validate_organization_fields(data: dict) -> None:
    """Field-level input checks (not rules): raises ApplicationError on the first field."""
    if not (data.get("name") or "").strip():
        raise ApplicationError("required", _("name is required"), field="name")
    cat = rules.OrgCategory(
        org_type=data.get("org_type") or "",
        institution_class=data.get("institution_class") or "",
        staffing=data.get("staffing") or "",
        fiscal_funded=data.get("fiscal_funded"),
        social_org_form=data.get("social_org_form") or "",
    )
    errors = rules.category_errors(cat)
    if errors:
        field, message = next(iter(errors.items()))
        raise ApplicationError("invalid_category", message, field=field)
    uscc = (data.get("uscc") or "").strip().upper()
    if cat.org_type == "natural_person":
        if uscc:
            raise ApplicationError(
                "invalid_uscc",
                _("natural persons have no USCC"),
                field="uscc",
            )
    elif not uscc:
        raise ApplicationError(
            "required",
            _("the unified social credit code is required"),
            field="uscc",
        )
    elif error := uscc_error(uscc):
        raise ApplicationError("invalid_uscc", error, field="uscc")
    competent = data.get("competent_department")
    if competent is not None and competent.auxiliary_purchaser:
        raise ApplicationError(
            "invalid_competent_department",
            _(
                "a 公益一类 unit buying auxiliary services (S11) is no competent department (主管部门)"
            ),
            field="competent_department",
        )
    if competent is not None and not competent.is_purchaser:
        raise ApplicationError(
            "invalid_competent_department",
            _("the competent department (主管部门) must be a purchasing department"),
            field="competent_department",
        )
    size = data.get("sme_size") or ""
    if size and cat.org_type not in ("enterprise", "individual_business"):
        raise ApplicationError(
            "invalid",
            _("enterprise size applies to enterprises only"),
            field="sme_size",
        )


def role_violations(org_like, flags: dict) -> list:
    """S1–S5 for the platform roles an organization asks for."""
    cat = rules.OrgCategory.of(org_like)
    violations = rules.role_conflict_violations(
        is_purchaser=flags.get("is_purchaser", False), is_provider=flags.get("is_provider", False)
    )
    auxiliary_only = flags.get("auxiliary_purchaser", False)
    if auxiliary_only:
        violations += rules.auxiliary_purchaser_violations(
            cat, is_purchaser=flags.get("is_purchaser", False)
        )
    if flags.get("is_purchaser"):
        violations += rules.purchaser_violations(cat, auxiliary_only=auxiliary_only)
    if flags.get("is_provider"):
        violations += rules.provider_violations(cat)
    return violations


@transaction.atomic
def create_organization(*, actor, **data) -> Organization:
    """Register an organization; S1–S5 decide which platform roles it may take."""
    require_platform_admin(actor)
    unknown = set(data) - set(ORG_FIELDS) - set(ROLE_FLAGS)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    validate_organization_fields(data)
    if data.get("uscc"):
        data["uscc"] = data["uscc"].strip().upper()
        # "" (a natural person's blank, possibly sent as spaces) is never a duplicate.
        if data["uscc"] and Organization.objects.filter(uscc=data["uscc"]).exists():
            raise ApplicationError(
                "duplicate",
                _("this USCC is already registered"),
                field="uscc",
            )
    flags = {f: bool(data.pop(f, False)) for f in ROLE_FLAGS}
    org = Organization(
        **{k: v for k, v in data.items() if v is not None or k == "fiscal_funded"}, **flags
    )
    enforce(role_violations(org, flags))
    org.save()
    audit.record(
        actor=actor,
        action=OrgsAction.ORGANIZATION_CREATE,
        obj=org,
        organization=org,
        data={"org_type": org.org_type, "region": org.region.code, "roles": org.platform_roles},
    )
    return org


@transaction.atomic
def set_platform_roles(*, actor, organization: Organization, **flags) -> Organization:
    """Change what an organization does on the platform (S1–S5 checked)."""
    require_platform_admin(actor)
    unknown = set(flags) - set(ROLE_FLAGS)
    if unknown:
        raise TypeError(f"unknown role flags: {sorted(unknown)}")
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    new = {f: flags.get(f, getattr(org, f)) for f in ROLE_FLAGS}
    enforce(role_violations(org, new))
    before = org.platform_roles
    for f, value in new.items():
        setattr(org, f, value)
    org.save(update_fields=[*ROLE_FLAGS, "updated_at"])
    audit.record(
        actor=actor,
        action=OrgsAction.ORGANIZATION_SET_ROLES,
        obj=org,
        data={"before": before, "after": org.platform_roles},
    )
    return org


@transaction.atomic
def set_organization_active(*, actor, organization: Organization, active: bool) -> Organization:
    """Deactivate an organization (its members lose the roles they hold in it, its
    records stay) or reactivate it."""
    require_platform_admin(actor)
    org = Organization.objects.select_for_update().get(pk=organization.pk)
    if org.is_active != active:
        org.is_active = active
        org.save(update_fields=["is_active", "updated_at"])
        audit.record(
            actor=actor,
            action=OrgsAction.ORGANIZATION_REACTIVATE
            if active
            else OrgsAction.ORGANIZATION_DEACTIVATE,
            obj=org,
            data={"name": org.name},
        )
    return org


# --- provider compliance (S6, S7) ------------------------------------------------------

COMPLIANCE_INPUT = (*rules.COMPLIANCE_FIELDS, "note")
DATE_FIELDS = ("established_on", "last_serious_violation_on")
NOTE_MAX = 2000


def _date(raw, field: str, errors: list) -> dt.date | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, dt.datetime):
        raw = raw.date()
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw).strip())
    except ValueError:
        errors.append({"field": field, "message": _("Give a date as YYYY-MM-DD.")})
        return None


def clean_compliance(organization: Organization, data: dict) -> tuple[dict, list[dict]]:
    """(values, field errors) of a compliance declaration; only the given fields."""
    errors: list[dict] = []
    clean: dict = {}
    today = timezone.localdate()
    social = organization.org_type == OrgType.SOCIAL_ORGANIZATION
    for name, raw in data.items():
        if name in DATE_FIELDS:
            value = _date(raw, name, errors)
            if value is not None and value > today:
                errors.append({"field": name, "message": _("The date cannot be in the future.")})
            clean[name] = value
        elif name == "annual_inspection_year":
            if raw in (None, ""):
                clean[name] = None
                continue
            try:
                year = int(raw)
            except (TypeError, ValueError):
                errors.append({"field": name, "message": _("Give a year, e.g. 2025.")})
                continue
            if not 1949 <= year <= today.year:
                errors.append(
                    {
                        "field": name,
                        "message": _("Give a year between 1949 and %(year)s.")
                        % {"year": today.year},
                    }
                )
                continue
            clean[name] = year
        elif name == "note":
            note = (raw or "").strip()
            if len(note) > NOTE_MAX:
                errors.append(
                    {
                        "field": name,
                        "message": _("At most %(n)s characters.") % {"n": NOTE_MAX},
                    }
                )
            clean[name] = note
        else:
            if raw is None:
                raw = False
            if not isinstance(raw, bool):
                errors.append({"field": name, "message": _("Answer true or false.")})
                continue
            clean[name] = raw
    if not social:
        for name in rules.SOCIAL_ORG_FIELDS:
            if clean.get(name) not in (None, False):
                errors.append(
                    {
                        "field": name,
                        "message": _(
                            "Applies only to social organizations (社会组织); leave it empty."
                        ),
                    }
                )
    return clean, errors


def _audit_value(value):
    return value.isoformat() if isinstance(value, dt.date) else value


@transaction.atomic
def declare_compliance(*, actor, organization: Organization, **facts) -> ProviderCompliance:
    """A provider declares (or corrects) its compliance profile. Fields not given
    keep their value. A new declaration clears an earlier verification. Nothing
    here refuses a provider: the rules judge the declaration when it bids."""
    unknown = set(facts) - set(COMPLIANCE_INPUT)
    if unknown:
        raise TypeError(f"unknown fields: {sorted(unknown)}")
    require_member(actor, organization, roles=(Role.PROVIDER,))
    if not organization.is_provider:
        raise ApplicationError(
            "not_a_provider",
            _("Only a provider (承接主体) declares a compliance profile."),
            field="is_provider",
        )
    clean, errors = clean_compliance(organization, facts)
    compliance = (
        ProviderCompliance.objects.select_for_update().filter(organization=organization).first()
    )
    if compliance is None:
        compliance = ProviderCompliance(organization=organization)
    after_passed = clean.get("annual_inspection_passed", compliance.annual_inspection_passed)
    after_year = clean.get("annual_inspection_year", compliance.annual_inspection_year)
    if after_passed and after_year is None:
        errors.append(
            {
                "field": "annual_inspection_year",
                "message": _("Give the year of the annual inspection that was passed."),
            }
        )
    if errors:
        raise InvalidInput(errors)
    changed = {}
    for name, value in clean.items():
        before = getattr(compliance, name)
        if before != value:
            changed[name] = [_audit_value(before), _audit_value(value)]
            setattr(compliance, name, value)
    compliance.declared_by = actor if getattr(actor, "is_authenticated", False) else None
    compliance.declared_at = timezone.now()
    was_verified = compliance.verified_at is not None
    compliance.verified_by = None
    compliance.verified_at = None
    compliance.save()
    organization.compliance = compliance
    audit.record(
        actor=actor,
        action=OrgsAction.COMPLIANCE_DECLARE,
        obj=compliance,
        data={"changed": changed, "verification_cleared": was_verified},
    )
    return compliance


@transaction.atomic
def verify_compliance(*, actor, organization: Organization) -> ProviderCompliance:
    """A finance bureau of the provider's region (or above) confirms it checked the
    declaration against the registers (信用中国, 民政 directory, tax records)."""
    permissions.require_verify_compliance(actor, organization)
    compliance = (
        ProviderCompliance.objects.select_for_update().filter(organization=organization).first()
    )
    if compliance is None:
        raise InvalidState(_("The provider has not declared its compliance profile yet."))
    compliance.verified_by = actor
    compliance.verified_at = timezone.now()
    compliance.save(update_fields=["verified_by", "verified_at", "updated_at"])
    audit.record(
        actor=actor,
        action=OrgsAction.COMPLIANCE_VERIFY,
        obj=compliance,
        data={"declared_at": compliance.declared_at},
    )
    return compliance


# --- credit records (S9) -------------------------------------------------------------

DESCRIPTION_MAX = 4000


def no_provider_error() -> InvalidInput:
    """The one answer for a provider that is not there and for one the recorder may
    not record about: both look alike (no enumeration of providers)."""
    return InvalidInput(
        [
            {
                "field": "provider",
                "message": _("No provider you may record about has this code or number."),
            }
        ]
    )


def no_project_error() -> InvalidInput:
    """The one answer for a project that is not there, is another's, or that the
    provider took no part in."""
    return InvalidInput(
        [
            {
                "field": "project",
                "message": _(
                    "Name a project this provider took part in (its bid was opened) and "
                    "about which you may record."
                ),
            }
        ]
    )


def recording_organization_for(actor, pk: int | None) -> Organization:
    """The organization `actor` records for: the one named among its own, or its
    only one. Any other id, there or not, answers alike (403)."""
    refuse_platform_admin(actor, Role.PURCHASER)
    own = selectors.recording_organizations(actor)
    if pk is not None:
        for org in own:
            if org.pk == pk:
                return org
        raise NotAllowed(_("You do not record credit for this organization."))
    if len(own) == 1:
        return own[0]
    if not own:
        raise NotAllowed(_("Only a purchaser or a finance bureau records credit records."))
    raise InvalidInput(
        [
            {
                "field": "recording_organization_id",
                "message": _("You act for several organizations: say which one records."),
            }
        ]
    )


def _recorder_roles(actor, recording_organization: Organization) -> list[str]:
    """The actor records for a purchasing department or a finance bureau it acts for;
    the platform administrator records for none."""
    role = Role.FINANCE if recording_organization.is_finance_bureau else Role.PURCHASER
    refuse_platform_admin(actor, role)
    roles = selectors.recorder_roles(actor, recording_organization)
    if not roles:
        raise NotAllowed(
            _("Only a purchaser or a finance bureau records credit records, for itself.")
        )
    return roles


@transaction.atomic
def record_credit(
    *,
    actor,
    recording_organization: Organization,
    organization: Organization | None,
    project,
    kind: str,
    description: str,
    basis: str,
    project_reference: str = "",
    exclusion_from: dt.date | str | None = None,
    exclusion_until: dt.date | str | None = None,
) -> CreditRecord:
    """A purchaser or finance bureau records a breach into a provider's credit record
    (102号令 第十七条; Q67), naming the project it concerns. A serious breach excludes
    the provider from bidding for the period the recorder chooses within the legal
    range (S9).

    Only the parties of that purchase record: the purchasing department of a
    project in which the provider's bid was opened, or the finance bureau of the
    provider's region or of the project's region (同级财政部门: a bureau above
    supervises and may revoke, it does not record). A provider or project that is
    not there answers exactly like one the recorder may not name."""
    roles = _recorder_roles(actor, recording_organization)
    if organization is None or not organization.is_provider:
        raise no_provider_error()
    allowed = selectors.credit_projects(recording_organization, roles, organization)
    if not allowed.exists():
        raise no_provider_error()
    if project is None or not allowed.filter(pk=project.pk).exists():
        raise no_project_error()
    errors: list[dict] = []
    if kind not in CreditKind.values:
        errors.append(
            {
                "field": "kind",
                "message": _("Choose one of: %(choices)s.")
                % {"choices": ", ".join(CreditKind.values)},
            }
        )
    description = (description or "").strip()
    if not description:
        errors.append({"field": "description", "message": _("Say what happened.")})
    elif len(description) > DESCRIPTION_MAX:
        errors.append(
            {
                "field": "description",
                "message": _("At most %(n)s characters.") % {"n": DESCRIPTION_MAX},
            }
        )
    basis = (basis or "").strip()
    if not basis:
        errors.append(
            {
                "field": "basis",
                "message": _(
                    "Give the legal basis, e.g. 政府采购法 第七十七条 and the decision's number."
                ),
            }
        )
    elif len(basis) > 300:
        errors.append({"field": "basis", "message": _("At most %(n)s characters.") % {"n": 300}})
    project_reference = (project_reference or "").strip()
    if len(project_reference) > 200:
        errors.append(
            {"field": "project_reference", "message": _("At most %(n)s characters.") % {"n": 200}}
        )
    start = _date(exclusion_from, "exclusion_from", errors)
    end = _date(exclusion_until, "exclusion_until", errors)
    if kind in CreditKind.values and not any(
        e["field"] in ("exclusion_from", "exclusion_until") for e in errors
    ):
        today = timezone.localdate()
        region = recording_organization.region
        period_errors = rules.exclusion_period_errors(
            kind=kind,
            exclusion_from=start,
            exclusion_until=end,
            min_years=params.cite("credit.exclusion_years_min", region, today),
            max_years=params.cite("credit.exclusion_years_max", region, today),
        )
        errors += [{"field": f, "message": m} for f, m in period_errors.items()]
    if errors:
        raise InvalidInput(errors)
    record = CreditRecord.objects.create(
        organization=organization,
        kind=kind,
        description=description,
        recording_organization=recording_organization,
        recorded_by=actor,
        project=project,
        project_reference=project_reference,
        recorded_at=timezone.now(),
        exclusion_from=start,
        exclusion_until=end,
        basis=basis,
    )
    audit.record(
        actor=actor,
        action=OrgsAction.CREDIT_RECORD,
        obj=record,
        data={
            "kind": kind,
            "recorded_by": recording_organization.pk,
            "as": roles,
            "project": project.pk,
            "exclusion_from": start,
            "exclusion_until": end,
            "basis": basis,
        },
    )
    return record


def _clean_reason(text, *, field: str, required: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ApplicationError("required", required, field=field)
    if len(text) > DESCRIPTION_MAX:
        raise ApplicationError(
            "invalid", _("At most %(n)s characters.") % {"n": DESCRIPTION_MAX}, field=field
        )
    return text


@transaction.atomic
def revoke_credit(*, actor, record: CreditRecord, reason: str) -> CreditRecord:
    """A finance bureau withdraws a credit record (wrongly recorded, or overturned on
    review); from that day it no longer excludes the provider. The record and
    the reason stay; an open objection is answered by the revocation."""
    permissions.require_revoke_credit(actor, record)
    reason = _clean_reason(reason, field="reason", required=_("Give the reason for revoking."))
    locked = CreditRecord.objects.select_for_update().get(pk=record.pk)
    if locked.revoked_at is not None:
        raise InvalidState(_("This credit record was already revoked."))
    locked.revoked_at = timezone.now()
    locked.revoked_by = actor
    locked.revoked_reason = reason
    locked.save(update_fields=["revoked_at", "revoked_by", "revoked_reason"])
    answered = CreditObjection.objects.filter(record=locked, answered_at__isnull=True).update(
        answer=reason, answered_by=actor, answered_at=locked.revoked_at, record_revoked=True
    )
    audit.record(
        actor=actor,
        action=OrgsAction.CREDIT_REVOKE,
        obj=locked,
        data={"kind": locked.kind, "reason": reason, "objection_answered": bool(answered)},
    )
    return locked


@transaction.atomic
def object_to_credit(*, actor, record: CreditRecord, text: str) -> CreditObjection:
    """The provider a record is about objects to it (异议), once, with its reasons;
    the finance bureau that may revoke the record answers."""
    permissions.require_object_to_credit(actor, record)
    text = _clean_reason(text, field="text", required=_("Say why the record is wrong."))
    locked = CreditRecord.objects.select_for_update().get(pk=record.pk)
    if locked.revoked_at is not None:
        raise InvalidState(_("This credit record was already revoked."))
    if CreditObjection.objects.filter(record=locked).exists():
        raise InvalidState(_("You have already objected to this record."))
    objection = CreditObjection.objects.create(
        record=locked, text=text, raised_by=actor, raised_at=timezone.now()
    )
    audit.record(
        actor=actor,
        action=OrgsAction.CREDIT_OBJECT,
        obj=objection,
        data={"record": locked.pk, "text": text},
    )
    return objection


@transaction.atomic
def keep_credit(*, actor, objection: CreditObjection, answer: str) -> CreditObjection:
    """The finance bureau answers an objection by keeping the record, with its reasons
    (to revoke it instead, it revokes the record)."""
    permissions.require_revoke_credit(actor, objection.record)
    answer = _clean_reason(answer, field="answer", required=_("Say why the record stands."))
    locked = CreditObjection.objects.select_for_update().get(pk=objection.pk)
    if locked.answered_at is not None:
        raise InvalidState(_("This objection was already answered."))
    locked.answer = answer
    locked.answered_by = actor
    locked.answered_at = timezone.now()
    locked.save(update_fields=["answer", "answered_by", "answered_at"])
    audit.record(
        actor=actor,
        action=OrgsAction.CREDIT_KEEP,
        obj=locked,
        data={"record": locked.record_id, "answer": answer},
    )
    return locked
