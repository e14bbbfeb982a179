"""Rules of running a purchase: notices and their deadlines, bids, the seal,
the panel, the award, and questions and complaints (P1, P11, P12, D1; P4, a rule of choosing the method, is in procurement.rules).

Pure functions: facts in, ``list[Violation]`` out; parameters come in already
looked up (``core.params.Cited`` or plain values) so each message can cite them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from govbuy.core.params import Cited, share_text
from govbuy.core.rules import Rule, Severity, Violation
from govbuy.core.text import Text
from govbuy.orgs.models import OrgType, SmeSize
from govbuy.procurement.models import Method
from govbuy.procurement.rules import P2
from govbuy.tendering.models import EvaluationMethod

P1 = Rule(
    "P1",
    Severity.HARD,
    "102号令 第十七条; Q56",
    gettext_noop("Select the provider by fair competition, weighing capability and credit"),
)
P5 = Rule(
    "P5",
    Severity.HARD,
    "Q57; Q58; Q60; 成都",
    gettext_noop(
        "Vouchers: public services with many beneficiaries, at least 3 providers at once, "
        "beneficiaries choose"
    ),
)
P11 = Rule(
    "P11",
    Severity.HARD,
    "Q83; 政府采购法 第五十二条至第五十八条; 财政部令第94号",
    gettext_noop("Questions (质疑) and complaints (投诉) within the legal deadlines"),
)
P12 = Rule(
    "P12",
    Severity.HARD,
    "财政部令第87号 第三十三条、第四十条; 广东省财政厅《实施政府购买服务 支持保障疫情防控工作》(不见面开标)",
    gettext_noop("Bids stay sealed until the opening time; opening can be remote"),
)
D1 = Rule(
    "D1",
    Severity.HARD,
    "Q78; 102号令 第十一条; 财库〔2020〕10号",
    gettext_noop("Notices, results and contracts are published, on time"),
)
# A contracts rule, registered here because the round sets its first deadline:
# the contract is signed within the term after the award notice (a `Deadline`).
K8 = Rule(
    "K8",
    Severity.HARD,
    "鲁财采〔2022〕14号 三(四)",
    gettext_noop("Contracts are signed only within the legal term and with budget"),
)

SME_SIZES = (SmeSize.MEDIUM, SmeSize.SMALL, SmeSize.MICRO)
SMALL_OR_MICRO = (SmeSize.SMALL, SmeSize.MICRO)
# Who may sign an SME declaration (中小企业声明函): enterprises and 个体工商户.
SME_DECLARING_TYPES = (OrgType.ENTERPRISE, OrgType.INDIVIDUAL_BUSINESS)


def _fmt(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


# --- publication on time (D1) ---------------------------------------------------------------


def late_publication_violations(
    *,
    what: str,
    due_at: dt.datetime | None,
    now: dt.datetime,
    late_reason: str,
    field="late_reason",
) -> list[Violation]:
    """Publishing after a deadline is allowed only with a recorded reason; the
    lateness is then kept as a warning for the supervisors."""
    if due_at is None or now <= due_at:
        return []
    if (late_reason or "").strip():
        return [
            D1.violation(
                Text(
                    gettext_noop("%(what)s was due by %(due)s and was published late: %(reason)s"),
                    what=what,
                    due=_fmt(due_at),
                    reason=late_reason.strip(),
                ),
                severity=Severity.WARN,
                field=field,
            )
        ]
    return [
        D1.violation(
            Text(
                gettext_noop(
                    "%(what)s was due by %(due)s. Publishing it now is late: record the reason, "
                    "and the lateness is reported to the finance bureau."
                ),
                what=what,
                due=_fmt(due_at),
            ),
            field=field,
        )
    ]


def intention_violations(
    *,
    intention_at: dt.datetime | None,
    earliest_notice: dt.datetime | None,
    lead: Cited,
    now: dt.datetime,
    emergency: bool,
    late_reason: str,
) -> list[Violation]:
    """The purchase intention (采购意向) is public at least `lead` days before the
    notice. The emergency channel skips it (recorded as a simplified step)."""
    if emergency:
        return []
    reason = (late_reason or "").strip()
    if intention_at is None:
        message = Text(
            gettext_noop(
                "No purchase intention (采购意向) was published; it must be public at least "
                "%(lead)s before the purchase starts."
            ),
            lead=lead.msg,
        )
    elif earliest_notice is not None and (
        timezone.localtime(now).date() < timezone.localtime(earliest_notice).date()
    ):
        message = Text(
            gettext_noop(
                "The purchase intention was published on %(date)s; the notice may follow from "
                "%(earliest)s (%(lead)s)."
            ),
            date=timezone.localtime(intention_at).date(),
            earliest=timezone.localtime(earliest_notice).date(),
            lead=lead.msg,
        )
    else:
        return []
    if reason:
        return [
            D1.violation(
                message
                + " "
                + Text(gettext_noop("Published with the reason: %(reason)s"), reason=reason),
                severity=Severity.WARN,
                field="late_reason",
            )
        ]
    return [
        D1.violation(
            message
            + " "
            + Text(
                gettext_noop(
                    "Give the reason to publish now; it is reported to the finance bureau."
                )
            ),
            field="late_reason",
        )
    ]


# --- the notice ----------------------------------------------------------------------------


def bid_deadline_violations(
    *,
    rule: Rule,
    bid_deadline: dt.datetime,
    earliest_day: dt.date | None,
    explanation: str,
    basis: str,
    now: dt.datetime,
) -> list[Violation]:
    if bid_deadline <= now:
        return [rule.violation(_("The bid deadline must be in the future."), field="bid_deadline")]
    if earliest_day is not None and timezone.localtime(bid_deadline).date() < earliest_day:
        return [
            rule.violation(
                _("The bid deadline can be no earlier than %(day)s: %(explanation)s (%(basis)s).")
                % {"day": earliest_day.isoformat(), "explanation": explanation, "basis": basis},
                field="bid_deadline",
                basis=basis,
            )
        ]
    return []


def criteria_violations(
    *,
    rule: Rule,
    method: str,
    evaluation_method: str,
    price_weight: Decimal,
    criteria: list[tuple[str, Decimal]],
    min_price_weight: Cited,
    max_price_weight: Cited | None,
) -> list[Violation]:
    """综合评分法: the price weight within the law's range and the criteria
    making up the rest of 100 points; 最低评标价法: price alone."""
    problems = []
    if evaluation_method == EvaluationMethod.LOWEST_PRICE:
        if criteria:
            problems.append(
                rule.violation(
                    _("The lowest-price method scores no other criteria; remove them."),
                    field="criteria",
                )
            )
        return problems
    least = min_price_weight.value * 100
    if price_weight < least:
        problems.append(
            rule.violation(
                _("The price carries at least %(least)s of 100 points for services (%(cited)s).")
                % {"least": f"{least:g}", "cited": min_price_weight.text},
                field="price_weight",
                basis=min_price_weight.basis,
            )
        )
    if max_price_weight is not None and price_weight > max_price_weight.value * 100:
        problems.append(
            rule.violation(
                _(
                    "In competitive consultation the price carries at most %(most)s points (%(cited)s)."
                )
                % {"most": f"{max_price_weight.value * 100:g}", "cited": max_price_weight.text},
                field="price_weight",
                basis=max_price_weight.basis,
            )
        )
    if price_weight >= 100:
        problems.append(
            rule.violation(
                _("With price weighing 100 points use the lowest-price method."),
                field="price_weight",
            )
        )
    if not criteria and price_weight < 100:
        problems.append(
            rule.violation(
                _("Comprehensive scoring needs at least one criterion besides the price."),
                field="criteria",
            )
        )
    names = [name for name, _points in criteria]
    if len(set(names)) != len(names):
        problems.append(rule.violation(_("Each criterion is named once."), field="criteria"))
    total = price_weight + sum((points for _name, points in criteria), Decimal(0))
    if criteria and total != 100:
        problems.append(
            rule.violation(
                _("Price and criteria add up to %(total)s points; they must make 100.")
                % {"total": f"{total:g}"},
                field="criteria",
            )
        )
    return problems


def sme_deduction_violations(
    *, deduction: Decimal, reserved: bool, low: Cited, high: Cited
) -> list[Violation]:
    """价格扣除 for small and micro enterprises within the range in force; none
    when the purchase is reserved for SMEs (财库〔2020〕46号 第九条)."""
    if reserved:
        if deduction:
            return [
                P1.violation(
                    _("A purchase reserved for SMEs applies no price deduction."),
                    field="sme_deduction",
                    basis="财库〔2020〕46号 第九条",
                )
            ]
        return []
    if not (low.value <= deduction <= high.value):
        return [
            P1.violation(
                _(
                    "The price deduction for small and micro enterprises is between %(low)s and "
                    "%(high)s (%(basis)s)."
                )
                % {"low": f"{low.value:.0%}", "high": f"{high.value:.0%}", "basis": high.basis},
                field="sme_deduction",
                basis=high.basis,
            )
        ]
    return []


def invitation_violations(*, method: str, invited: int, min_bids: int) -> list[Violation]:
    if method == Method.SINGLE_SOURCE and invited != 1:
        return [
            P2.violation(_("Single-source purchase names exactly one provider."), field="invited")
        ]
    if method == Method.INVITATIONAL_TENDER and invited < min_bids:
        return [
            P2.violation(
                _("Invite at least %(n)s providers to an invitational tender.") % {"n": min_bids},
                field="invited",
            )
        ]
    return []


def voucher_violations(*, kind: str, admitted: int, least: Cited) -> list[Violation]:
    """P5: a voucher programme buys a public service (公共服务) and admits at least
    `least` providers at once, among whom the recipients choose."""
    problems = []
    if kind != "public_service":
        problems.append(
            P5.violation(
                _(
                    "Vouchers (凭单制) buy public services for their recipients; this catalog "
                    "item is an auxiliary service for the government itself."
                ),
                field="method",
            )
        )
    if admitted < least.value:
        problems.append(
            P5.violation(
                _("A voucher programme admits at least %(n)s providers at once (%(cited)s).")
                % {"n": least.value, "cited": least.text},
                field="framework.max_members",
                basis=least.basis,
            )
        )
    return problems


# --- bids ----------------------------------------------------------------------------------


def sme_declaration_violations(*, org_type: str, declared: str, reserved: bool) -> list[Violation]:
    """Only enterprises declare a size (中小企业声明函); a reserved purchase takes SMEs only."""
    if declared and org_type not in SME_DECLARING_TYPES:
        return [
            P1.violation(
                _("Only enterprises and individual businesses declare an enterprise size."),
                field="sme_size",
                basis="财库〔2020〕46号 第二条",
            )
        ]
    if reserved and declared not in SME_SIZES:
        return [
            P1.violation(
                _(
                    "This purchase is reserved for small and medium-sized enterprises: declare "
                    "your size (中小企业声明函) to bid."
                ),
                field="sme_size",
                basis="财库〔2020〕46号 第八条",
            )
        ]
    return []


def late_bid_violations(*, received_at: dt.datetime, deadline: dt.datetime) -> list[Violation]:
    if received_at < deadline:
        return []
    return [
        P12.violation(
            _(
                "The bid deadline was %(deadline)s; the platform received this at %(received)s. "
                "Bids after the deadline are refused."
            )
            % {
                "deadline": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M:%S"),
                "received": timezone.localtime(received_at).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3],
            },
            field="bid_deadline",
        )
    ]


OVER_BUDGET_BASIS = "财政部令第87号 第六十三条（四）"


def over_budget_violations(*, price: Decimal, budget: Decimal, invalid: bool) -> list[Violation]:
    """A bid above the purchase's budget (采购预算): a warning to the bidder at
    submission; where the notice says so (the default) the bid is invalid."""
    if price <= budget:
        return []
    values = {"price": f"{price:,.2f}", "budget": f"{budget:,.2f}"}
    if invalid:
        message = _(
            "The price %(price)s 元 is above the purchase's budget of %(budget)s 元: the "
            "notice says such a bid is invalid."
        )
    else:
        message = _(
            "The price %(price)s 元 is above the purchase's budget of %(budget)s 元: the "
            "panel sees it marked."
        )
    return [
        P1.violation(
            message % values, severity=Severity.WARN, basis=OVER_BUDGET_BASIS, field="price"
        )
    ]


def over_budget_reason(*, price: Decimal, budget: Decimal) -> str:
    return _(
        "The price %(price)s 元 is above the purchase's budget of %(budget)s 元 and the notice "
        "says such a bid is invalid (%(basis)s)."
    ) % {"price": f"{price:,.2f}", "budget": f"{budget:,.2f}", "basis": OVER_BUDGET_BASIS}


def sealed_violation(*, opening_at: dt.datetime, state: str = "before") -> Violation:
    """The seal lifts only through an actual opening: before its time, once it is
    due but not done yet, and for ever for a round that ended without one."""
    if state == "due":
        message = _(
            "Bids are sealed until they are opened: the opening was due at %(opening)s and "
            "the bids are not opened yet."
        )
    elif state == "ended":
        message = _(
            "This round ended without an opening (opening time %(opening)s): its bids are "
            "never opened and stay sealed."
        )
    else:
        message = _(
            "Bids are sealed until the opening at %(opening)s; no one can read them before."
        )
    return P12.violation(message % {"opening": _fmt(opening_at)})


# --- panel, evaluation, award ---------------------------------------------------------------


def panel_violations(
    *, members: int, experts: int, least: int, expert_share: Decimal
) -> list[Violation]:
    """评标委员会: at least `least` members, an odd number, experts at least the share."""
    problems = []
    basis = "财政部令第87号 第四十七条; 财政部令第74号 第七条"
    if members < least:
        problems.append(
            P1.violation(
                _("The panel has at least %(n)s members.") % {"n": least},
                field="members",
                basis=basis,
            )
        )
    if members % 2 == 0:
        problems.append(
            P1.violation(_("The panel has an odd number of members."), field="members", basis=basis)
        )
    if members and Decimal(experts) < Decimal(members) * expert_share:
        problems.append(
            P1.violation(
                _("Experts make at least %(share)s of the panel.")
                % {"share": share_text(expert_share)},
                field="members",
                basis=basis,
            )
        )
    return problems


def award_order_violations(*, chosen_rank: int | None, reason: str) -> list[Violation]:
    """The purchaser confirms the winner in the order the panel recommends; passing
    over the first needs a reason (a candidate that gave up or was found ineligible)."""
    if chosen_rank is None:
        return [P1.violation(_("Only a ranked, valid bid can win."), field="bid")]
    if chosen_rank > 1 and not (reason or "").strip():
        return [
            P1.violation(
                _(
                    "The winner is confirmed in the panel's order: say why the candidates "
                    "ranked before this one are passed over."
                ),
                field="reason",
                basis="政府采购法实施条例 第四十三条",
            )
        ]
    return []


# --- questions and complaints (P11) -----------------------------------------------------------


def question_window_violations(
    *, filed_on: dt.date, window_ends: dt.date | None, opens_on: dt.date | None, what: str
) -> list[Violation]:
    if opens_on is not None and filed_on < opens_on:
        return [
            P11.violation(
                _("%(what)s can be questioned from %(day)s.")
                % {"what": what, "day": opens_on.isoformat()},
                field="subject",
            )
        ]
    if window_ends is not None and filed_on > window_ends:
        return [
            P11.violation(
                _(
                    "The window to question %(what)s closed on %(day)s (7 working days after the "
                    "provider knew); this question is late."
                )
                % {"what": what, "day": window_ends.isoformat()},
                field="content",
            )
        ]
    return []


def complaint_window_violations(
    *, filed_on: dt.date, answered: bool, answer_due: dt.date, window_ends: dt.date
) -> list[Violation]:
    if not answered and filed_on <= answer_due:
        return [
            P11.violation(
                _(
                    "A complaint follows the purchaser's answer, or the end of the answer period "
                    "(%(day)s) if no answer came."
                )
                % {"day": answer_due.isoformat()},
                field="content",
            )
        ]
    if filed_on > window_ends:
        return [
            P11.violation(
                _(
                    "The window to complain closed on %(day)s (15 working days after the answer "
                    "period ended); this complaint is late."
                )
                % {"day": window_ends.isoformat()},
                field="content",
            )
        ]
    return []


def suspension_violations(*, days: int, most: Cited) -> list[Violation]:
    if days < 1 or days > most.value:
        return [
            P11.violation(
                _("A purchase is suspended for 1 to %(most)s days (%(cited)s).")
                % {"most": most.value, "cited": most.text},
                field="days",
                basis=most.basis,
            )
        ]
    return []


def suspended_violation(*, until: dt.date | None) -> Violation:
    return P11.violation(
        _(
            "The finance bureau has suspended this purchase while it handles a complaint "
            "(until %(day)s); nothing moves forward meanwhile."
        )
        % {"day": until.isoformat() if until else "—"},
        basis="政府采购法 第五十七条",
    )
