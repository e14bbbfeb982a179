"""Audit actions are enum members (A6): `record` refuses a free string, every call
site names a member, and the members keep the strings stored before the enum."""

import ast
import pathlib

import pytest
from django.db import transaction

import govbuy
from govbuy.core import audit, audit_actions
from govbuy.core.models import AuditEvent
from govbuy.core.tests.sample_actions import SampleAction

ROOT = pathlib.Path(govbuy.__file__).parent


def test_record_refuses_a_string_that_is_not_an_enum_member(db):
    with transaction.atomic():
        with pytest.raises(TypeError, match="AuditAction"):
            audit.record(actor="t", action="procurement.round.start")
        with pytest.raises(TypeError):
            audit.record(actor="t", action="core.test")  # a member's value is not enough
    assert not AuditEvent.objects.exists()


def test_record_stores_the_members_value(db):
    from govbuy.tendering.audit_actions import TenderingAction

    with transaction.atomic():
        event = audit.record(actor="t", action=TenderingAction.ROUND_START)
        audit.record(actor="t", action=SampleAction.TEST)
    event.refresh_from_db()
    assert type(event.action) is str and event.action == "procurement.round.start"
    assert audit.verify_chain().ok


def _record_calls():
    for path in sorted(ROOT.rglob("*.py")):
        if "migrations" in path.parts or path.name == "test_audit_actions.py":
            continue  # (this module passes strings on purpose, to see them refused)
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name == "record":
                yield path, node


def test_no_record_call_passes_a_string_literal_as_action():
    offenders = []
    for path, call in _record_calls():
        for kw in call.keywords:
            if kw.arg != "action":
                continue
            for sub in ast.walk(kw.value):
                if isinstance(sub, ast.Constant | ast.JoinedStr) and isinstance(
                    getattr(sub, "value", ""), str
                ):
                    offenders.append(f"{path.relative_to(ROOT)}:{call.lineno}")
    assert offenders == []


def test_every_app_declares_its_actions_once_with_todays_strings():
    actions = audit_actions.registered()  # raises if a value is declared twice
    # A sample of the strings events already carry (stored and hashed): unchanged.
    for value in (
        "core.policy_parameter.create",
        "accounts.login",
        "orgs.organization.create",
        "catalog.item.add",
        "budgets.line.approve",
        "procurement.project.create",
        "procurement.round.start",
        "procurement.award.confirm",
        "procurement.bid.sealed_read_refused",
        "procurement.complaint.decide",
    ):
        assert value in actions, value
    modules = {type(m).__module__ for m in actions.values()}
    for app in ("core", "accounts", "orgs", "catalog", "budgets", "procurement"):
        assert f"govbuy.{app}.audit_actions" in modules
    for app in ("tendering", "challenges"):
        assert f"govbuy.{app}.audit_actions" in modules
    assert audit_actions.label("procurement.round.start")
    assert audit_actions.label("retired.action") == "retired.action"
