"""Writes for regions and organizations: one transaction each, rules checked, audited."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from govbuy.core import audit
from govbuy.core.errors import ApplicationError
from govbuy.core.rules import enforce

from . import rules
from .models import Organization, Region, RegionLevel
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
ROLE_FLAGS = ("is_finance_bureau", "is_purchaser", "is_provider", "is_evaluator", "is_audit_office")


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
    if flags.get("is_purchaser"):
        violations += rules.purchaser_violations(cat)
    if flags.get("is_provider"):
        violations += rules.provider_violations(cat)
    return violations


@transaction.atomic
def create_organization(*, actor, **data) -> Organization:
    """Register an organization; S1–S5 decide which platform roles it may take."""
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
        action="orgs.organization.create",
        obj=org,
        organization=org,
        data={"org_type": org.org_type, "region": org.region.code, "roles": org.platform_roles},
    )
    return org


@transaction.atomic
def set_platform_roles(*, actor, organization: Organization, **flags) -> Organization:
    """Change what an organization does on the platform (S1–S5 checked)."""
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
        action="orgs.organization.set_roles",
        obj=org,
        data={"before": before, "after": org.platform_roles},
    )
    return org
