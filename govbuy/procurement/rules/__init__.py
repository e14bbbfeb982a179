"""P — how to buy (组织实施): the method oracle (P2, P3, P6, P9), requirements (P7).

Pure functions: facts in, violations or a decision out; parameter values come
in already looked up (``core.params.Cited``) so each reason can cite them."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from govbuy.core.money import yuan
from govbuy.core.params import Cited
from govbuy.core.rules import Rule, Severity, Violation
from govbuy.core.text import Text
from govbuy.procurement.models import LAW_METHODS, Method

P2 = Rule(
    "P2",
    Severity.HARD,
    "鲁财采〔2022〕14号 三(三); Q59",
    gettext_noop("Projects under the procurement law use one of its methods; thresholds decide"),
)
P3 = Rule(
    "P3",
    Severity.HARD,
    "鲁财采〔2022〕14号 三(三); Q61",
    gettext_noop("Projects outside the procurement law use competitive review or 定向委托"),
)
P4 = Rule(
    "P4",
    Severity.WARN,
    "鲁财采〔2022〕14号 三(三)",
    gettext_noop(
        "Frequent small services and beneficiary-chosen services use framework agreements"
    ),
)
P6 = Rule(
    "P6",
    Severity.HARD,
    "Q62; Q63; Q91",
    gettext_noop("公益二类 拨改买: own unit directly; at/above the threshold single source"),
)
P7 = Rule(
    "P7",
    Severity.HARD,
    "鲁财采〔2022〕14号 三(三)",
    gettext_noop("Requirements are complete and reviewed before the purchase starts"),
)
P9 = Rule(
    "P9",
    Severity.HARD,
    "鲁财采〔2022〕14号 二(二); 广东省财政厅《实施政府购买服务 支持保障疫情防控工作》",
    gettext_noop("Emergency green channel: simplified procedure, recorded and reported"),
)

# Non-open methods of the law that need the finance bureau's approval at/above the
# open-tender threshold (变更采购方式, 政府采购法 第二十七条).
NEEDS_APPROVAL_ABOVE_OPEN = (
    Method.INVITATIONAL_TENDER,
    Method.COMPETITIVE_NEGOTIATION,
    Method.COMPETITIVE_CONSULTATION,
    Method.SINGLE_SOURCE,
)
CHANGE_OF_METHOD_BASIS = "政府采购法 第二十七条; 财政部令第74号"
FRAMEWORK_BASIS = "财政部令第110号; 鲁财采〔2022〕14号 三(三)"
CONSULTATION_BASIS = "财库〔2014〕214号 第三条"


@dataclass(frozen=True)
class MethodFacts:
    amount: Decimal
    centralized_catalog: bool = False
    own_public_welfare_2: bool = False
    voucher: bool = False
    emergency: bool = False


@dataclass
class MethodDecision:
    procurement_law_applies: bool
    allowed: list[str]
    requires_approval: list[str]
    default: str
    reasons: list[dict] = field(default_factory=list)
    parameters: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "procurement_law_applies": self.procurement_law_applies,
            "allowed": list(self.allowed),
            "requires_approval": list(self.requires_approval),
            "default": self.default,
            "reasons": list(self.reasons),
            "parameters": list(self.parameters),
        }


def _reason(rule: Rule, message: str, basis: str | None = None, parameter: Cited | None = None):
    reason = {"rule": rule.id, "message": str(message), "basis": basis or rule.basis}
    if parameter is not None:
        reason["parameter"] = parameter.key
    return reason


def decide_methods(
    facts: MethodFacts,
    *,
    decentralized: Cited,
    open_tender: Cited,
    voucher_min: Cited | None = None,
) -> MethodDecision:
    """Which methods are allowed, which need approval, and the default, with reasons."""
    amount = facts.amount
    reasons: list[dict] = []
    law = facts.centralized_catalog or amount >= decentralized.value
    if facts.centralized_catalog:
        reasons.append(
            _reason(
                P2,
                _(
                    "The service is in the centralized procurement catalog (集中采购目录): the "
                    "procurement law applies whatever the amount."
                ),
            )
        )
    elif law:
        reasons.append(
            _reason(
                P2,
                _(
                    "Budget %(amount)s is at or above the procurement threshold "
                    "(分散采购限额标准) %(threshold)s: the procurement law applies."
                )
                % {"amount": yuan(amount), "threshold": decentralized.text},
                parameter=decentralized,
            )
        )
    else:
        reasons.append(
            _reason(
                P3,
                _(
                    "Budget %(amount)s is below the procurement threshold (分散采购限额标准) "
                    "%(threshold)s and the service is not in the centralized procurement "
                    "catalog: the procurement law does not apply; choose the provider by "
                    "competitive review (竞争性评审)."
                )
                % {"amount": yuan(amount), "threshold": decentralized.text},
                parameter=decentralized,
            )
        )

    above_open = law and amount >= open_tender.value
    if law:
        allowed = list(LAW_METHODS)
        if above_open:
            default = Method.OPEN_TENDER
            requires = list(NEEDS_APPROVAL_ABOVE_OPEN)
            reasons.append(
                _reason(
                    P2,
                    _(
                        "Budget %(amount)s is at or above the open-tender threshold "
                        "(公开招标数额标准) %(threshold)s: open tender is the method; any other "
                        "method except a framework agreement needs the finance bureau's "
                        "approval before the purchase starts (变更采购方式)."
                    )
                    % {"amount": yuan(amount), "threshold": open_tender.text},
                    basis=f"{P2.basis}; {CHANGE_OF_METHOD_BASIS}",
                    parameter=open_tender,
                )
            )
        else:
            default = Method.COMPETITIVE_CONSULTATION
            requires = []
            reasons.append(
                _reason(
                    P2,
                    _(
                        "Budget %(amount)s is below the open-tender threshold "
                        "(公开招标数额标准) %(threshold)s: every method of the law is open "
                        "without approval; competitive consultation (竞争性磋商), made for "
                        "services, is the default."
                    )
                    % {"amount": yuan(amount), "threshold": open_tender.text},
                    basis=f"{P2.basis}; {CONSULTATION_BASIS}",
                    parameter=open_tender,
                )
            )
        reasons.append(
            _reason(
                P2,
                _(
                    "A framework agreement (框架协议采购) suits frequent small services "
                    "(legal, assessment, accounting, audit) and services where recipients "
                    "choose among two or more providers (P4)."
                ),
                basis=FRAMEWORK_BASIS,
            )
        )
    else:
        allowed = [Method.COMPETITIVE_REVIEW]
        requires = []
        default = Method.COMPETITIVE_REVIEW

    if facts.own_public_welfare_2:
        if law:
            default = Method.SINGLE_SOURCE
            reasons.append(
                _reason(
                    P6,
                    _(
                        "Commissioning the department's own 公益二类 unit: where the procurement "
                        "law applies this is single-source procurement (单一来源采购), not a "
                        "direct commission%(approval)s."
                    )
                    % {
                        "approval": _(", and needs the finance bureau's approval")
                        if above_open and not facts.emergency
                        else ""
                    },
                )
            )
        else:
            allowed.append(Method.DIRECT_COMMISSION)
            default = Method.DIRECT_COMMISSION
            reasons.append(
                _reason(
                    P6,
                    _(
                        "Below the threshold the department may commission its own 公益二类 "
                        "unit directly (定向委托), under a contract; competitive choice is "
                        "preferred and direct commissions should shrink over time."
                    ),
                )
            )
    if facts.voucher:
        allowed.append(Method.VOUCHER)
        default = Method.VOUCHER
        at_least = voucher_min.value if voucher_min is not None else 3
        if law:
            message = _(
                "Voucher programme (凭单制): at least %(n)s providers are admitted at once "
                "through a method of the law, usually a framework agreement; recipients "
                "choose and pay with vouchers."
            )
        else:
            message = _(
                "Voucher programme (凭单制): at least %(n)s qualified providers are admitted "
                "at once; recipients choose and pay with vouchers."
            )
        reasons.append(_reason(P2 if law else P3, message % {"n": at_least}, basis="Q57; Q58; Q60"))
    if facts.emergency:
        if law and default == Method.OPEN_TENDER:
            default = Method.COMPETITIVE_NEGOTIATION
        reasons.append(
            _reason(
                P9,
                _(
                    "Emergency (应急绿色通道): the simplified procedure may be used without "
                    "prior approval of the method; the purchase is recorded as an emergency "
                    "and reported to the finance bureau."
                ),
            )
        )
        requires = []
    allowed = [m for m in dict.fromkeys(allowed)]
    requires = [m for m in requires if m in allowed]
    cited = [decentralized, open_tender] + ([voucher_min] if facts.voucher and voucher_min else [])
    return MethodDecision(
        procurement_law_applies=law,
        allowed=[str(m) for m in allowed],
        requires_approval=[str(m) for m in requires],
        default=str(default),
        reasons=reasons,
        parameters=[c.as_dict() for c in cited],
    )


def method_violations(method: str, decision: MethodDecision) -> list[Violation]:
    """P2/P3/P6: the chosen method must be one the oracle allows."""
    if method in decision.allowed:
        return []
    label = Method(method).label if method in Method.values else method
    allowed = "、".join(str(Method(m).label) for m in decision.allowed)
    if method == Method.DIRECT_COMMISSION:
        rule = P6
        message = _(
            "Direct commission (定向委托) is only for the department's own 公益二类 unit and "
            "only outside the procurement law; allowed here: %(allowed)s."
        ) % {"allowed": allowed}
    elif decision.procurement_law_applies:
        rule = P2
        message = _(
            "%(method)s is not a method of the procurement law for this purchase; allowed "
            "here: %(allowed)s."
        ) % {"method": label, "allowed": allowed}
    else:
        rule = P3
        message = _(
            "%(method)s is not available outside the procurement law; allowed here: %(allowed)s."
        ) % {"method": label, "allowed": allowed}
    return [rule.violation(message, field="method")]


def own_unit_violations(
    *, org_type: str, institution_class: str, competent_department_id, department_id
) -> list[Violation]:
    """P6: the unit named for a direct commission is the department's own 公益二类 unit."""
    if org_type != "public_institution" or institution_class != "public_welfare_2":
        return [
            P6.violation(
                _("Only a 公益二类 public institution can be commissioned this way."),
                field="intended_provider",
            )
        ]
    if competent_department_id != department_id:
        return [
            P6.violation(
                _(
                    "The unit answers to another department: a department commissions only "
                    "its own 公益二类 units."
                ),
                field="intended_provider",
            )
        ]
    return []


def emergency_violations(*, emergency: bool, reason: str) -> list[Violation]:
    """P9: an emergency purchase records what happened."""
    if emergency and not (reason or "").strip():
        return [
            P9.violation(
                _("Record the emergency: what happened and why the normal procedure cannot wait."),
                field="emergency_reason",
            )
        ]
    return []


REQUIRED_FIELDS = (
    ("content", gettext_noop("service content (服务内容)")),
    ("standards", gettext_noop("service standards (服务标准)")),
    ("quantity", gettext_noop("quantity (服务数量)")),
    ("recipients", gettext_noop("recipients (服务对象)")),
    ("place", gettext_noop("place (服务地点)")),
    ("term_start", gettext_noop("term from")),
    ("term_end", gettext_noop("term to")),
    ("technical_guarantees", gettext_noop("technical guarantees (技术保障)")),
)


def requirement_violations(values: dict, *, indicators: list, started_on=None) -> list[Violation]:
    """P7 completeness: every part of the requirements is stated, the term makes
    sense and at least one performance indicator is set."""
    problems = []
    for name, label in REQUIRED_FIELDS:
        value = values.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            problems.append(
                P7.violation(
                    _("State the %(part)s before review.") % {"part": _(label)}, field=name
                )
            )
    start, end = values.get("term_start"), values.get("term_end")
    if start and end and end < start:
        problems.append(P7.violation(_("The term ends before it starts."), field="term_end"))
    if start and started_on and start < started_on:
        problems.append(
            P7.violation(
                _("The service cannot start before the purchase (%(date)s).")
                % {"date": started_on.isoformat()},
                field="term_start",
            )
        )
    if not (values.get("goals") or "").strip() and not indicators:
        problems.append(
            P7.violation(
                _("Set the performance goals and at least one indicator (绩效目标)."),
                field="indicators",
            )
        )
    elif not indicators:
        problems.append(
            P7.violation(
                _("Give at least one performance indicator with its target."), field="indicators"
            )
        )
    return problems


def review_violations(
    *, complete: bool, compliant: bool, reasonable: bool, approving: bool, note: str
) -> list[Violation]:
    """P7 review: approval affirms all three judgments; a return says why."""
    if approving and not (complete and compliant and reasonable):
        return [
            P7.violation(
                _(
                    "Approve only requirements you judge complete, compliant and reasonable; "
                    "otherwise return them with your note."
                ),
                field="complete",
            )
        ]
    if not approving and not (note or "").strip():
        return [P7.violation(_("Say what must be revised."), field="note")]
    return []


# P4: services the rule names as frequent and small.
FRAMEWORK_HINT_WORDS = ("法律", "评估", "会计", "审计", "律师", "资产评估")


def framework_hint_violations(*, method: str, catalog_name: str, voucher: bool) -> list[Violation]:
    """P4 (warn): frequent small services and beneficiary-chosen services suit a
    framework agreement."""
    if method == Method.FRAMEWORK_AGREEMENT:
        return []
    if any(word in (catalog_name or "") for word in FRAMEWORK_HINT_WORDS):
        return [
            P4.violation(
                Text(
                    gettext_noop(
                        "%(item)s is a frequent, small service (legal, assessment, accounting, "
                        "audit): a framework agreement (框架协议采购) is the expected method."
                    ),
                    item=catalog_name,
                ),
                field="method",
            )
        ]
    return []
