"""The rules kernel: Violation, RuleViolation, enforce() and the Rule registry."""

import pytest

from govbuy.core.rules import REGISTRY, Rule, RuleViolation, Severity, Violation, enforce


@pytest.fixture
def scratch_rules():
    """Rule IDs created by a test are removed again, so the registry stays as shipped."""
    before = dict(REGISTRY)
    yield
    REGISTRY.clear()
    REGISTRY.update(before)


HARD = Violation("K2", Severity.HARD, "term too long", "Q65; Q99", "term_end")
WARN = Violation("C9", Severity.WARN, "looks like 劳务派遣", "Q42–Q50", "description")
REPORT = Violation("P10", Severity.REPORT, "share below 30%", "seeds/001; Q98")


def test_severity_values():
    assert [s.value for s in Severity] == ["hard", "warn", "report"]


def test_violation_as_dict():
    assert HARD.as_dict() == {
        "rule": "K2",
        "severity": "hard",
        "message": "term too long",
        "basis": "Q65; Q99",
        "field": "term_end",
    }
    assert REPORT.as_dict()["field"] is None


def test_violation_is_hard_and_str():
    assert HARD.is_hard is True
    assert WARN.is_hard is False
    assert REPORT.is_hard is False
    assert str(HARD) == "[K2] term too long (Q65; Q99)"


def test_rule_violation_as_body():
    exc = RuleViolation([HARD, WARN])
    assert exc.as_body() == {
        "code": "rule_violation",
        "violations": [HARD.as_dict(), WARN.as_dict()],
    }
    assert "[K2] term too long (Q65; Q99)" in str(exc)
    assert "[C9]" in str(exc)


def test_rule_violation_by_field():
    other = Violation("K1", Severity.HARD, "no price", "Q64", "term_end")
    grouped = RuleViolation([HARD, WARN, other, REPORT]).by_field()
    assert grouped == {"term_end": [HARD, other], "description": [WARN], None: [REPORT]}


def test_enforce_returns_warnings_and_reports_when_nothing_is_hard():
    assert enforce([WARN, REPORT]) == [WARN, REPORT]
    assert enforce([]) == []


def test_enforce_raises_on_hard_with_only_the_hard_violations():
    second_hard = Violation("K3", Severity.HARD, "no 优秀 rating", "鲁财采〔2022〕14号 三(四)")
    with pytest.raises(RuleViolation) as exc:
        enforce([WARN, HARD, REPORT, second_hard])
    assert exc.value.violations == [HARD, second_hard]
    assert exc.value.as_body()["code"] == "rule_violation"
    assert [v["rule"] for v in exc.value.as_body()["violations"]] == ["K2", "K3"]


def test_rule_violation_builds_violations_with_its_basis(scratch_rules):
    rule = Rule("ZZ1", Severity.WARN, "测试依据 第一条", "a test rule")
    v = rule.violation("message", field="amount")
    assert v == Violation("ZZ1", "warn", "message", "测试依据 第一条", "amount")
    hard = rule.violation("message", severity=Severity.HARD)
    assert hard.is_hard and hard.field is None


def test_rule_is_registered_once(scratch_rules):
    rule = Rule("ZZ2", Severity.HARD, "basis", "title")
    assert REGISTRY["ZZ2"] is rule
    # The same definition again (e.g. a module re-import) is harmless.
    Rule("ZZ2", Severity.HARD, "basis", "title")
    assert REGISTRY["ZZ2"] == rule


@pytest.mark.parametrize(
    "changes",
    [
        {"severity": Severity.WARN},
        {"basis": "another basis"},
        {"title": "another title"},
    ],
)
def test_rule_registry_refuses_a_duplicate_id_with_different_content(scratch_rules, changes):
    Rule("ZZ3", Severity.HARD, "basis", "title")
    fields = {"severity": Severity.HARD, "basis": "basis", "title": "title", **changes}
    with pytest.raises(ValueError, match="ZZ3"):
        Rule("ZZ3", **fields)
    assert REGISTRY["ZZ3"].basis == "basis"
    assert REGISTRY["ZZ3"].severity == Severity.HARD


def test_shipped_s_rules_are_registered():
    import govbuy.orgs.rules  # noqa: F401  (defines S1–S5)

    assert {"S1", "S2", "S3", "S4", "S5"} <= set(REGISTRY)
    with pytest.raises(ValueError):
        Rule("S1", Severity.WARN, "102号令 第五条; Q19; Q89(1)", "Purchasers are state organs")
