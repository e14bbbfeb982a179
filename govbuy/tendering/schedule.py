"""Deadlines of a purchase, computed from the legal minimums of its method.

Every number is a policy parameter looked up for the project's region on the
day the purchase started; every day count follows the official calendar
(`core.calendar`: holidays and 调休 make-up days). Periods "after" an event
start the next day (民法典 第二百零一条), which is what `add_working_days`
does. A deadline whose year has no holiday calendar yet is kept without a date
and says so, instead of being guessed.

The functions here compute; `services` store the results as `Deadline` rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_noop

from govbuy.core import calendar, params
from govbuy.core.errors import CalendarNotCovered
from govbuy.core.text import Text, as_text
from govbuy.procurement.models import Method
from govbuy.tendering.models import DeadlineKind
from govbuy.tendering.rules import running as running_rules

# The rule whose procedure sets each deadline: the procurement law's methods (P2),
# purchases outside it (P3), the emergency channel (P9), questions (P11), opening (P12).
RULE_OF_METHOD = {
    Method.COMPETITIVE_REVIEW: "P3",
    Method.DIRECT_COMMISSION: "P3",
}

# Methods that run a round with bids (direct commission and vouchers do not).
BIDDING_METHODS = (
    Method.OPEN_TENDER,
    Method.INVITATIONAL_TENDER,
    Method.COMPETITIVE_NEGOTIATION,
    Method.COMPETITIVE_CONSULTATION,
    Method.SINGLE_SOURCE,
    Method.FRAMEWORK_AGREEMENT,
    Method.COMPETITIVE_REVIEW,
    Method.VOUCHER,
)
# Methods whose first stage admits several providers (a framework agreement; a
# voucher programme, whose recipients then choose among them).
ADMITTING_METHODS = (Method.FRAMEWORK_AGREEMENT, Method.VOUCHER)
# Methods whose later rounds of quotes follow the first responses.
QUOTE_ROUND_METHODS = (Method.COMPETITIVE_NEGOTIATION, Method.COMPETITIVE_CONSULTATION)
# Methods restricted to the providers the purchaser invites.
INVITATION_METHODS = (Method.INVITATIONAL_TENDER, Method.SINGLE_SOURCE)


@dataclass(frozen=True)
class Due:
    """One computed deadline, with what sets it."""

    kind: str
    due_at: dt.datetime | None
    counted_from: dt.datetime | None
    rule: str
    basis: str
    parameter: str
    # A core.text.Text (stored with the row, shown in the reader's language) or a string.
    explanation: object
    whole_day: bool = True
    # The year whose holiday calendar is missing, when `due_at` could not be computed.
    missing_year: int | None = None

    @property
    def due_on(self) -> dt.date | None:
        return timezone.localtime(self.due_at).date() if self.due_at else None

    @property
    def explained(self) -> str:
        """How the date is computed, in the active language (as `Deadline.explained`)."""
        return str(self.explanation)

    def as_row(self) -> dict:
        text = as_text(self.explanation)
        return {
            "kind": self.kind,
            "due_at": self.due_at,
            "counted_from": self.counted_from,
            "rule": self.rule,
            "basis": self.basis,
            "parameter": self.parameter,
            "explanation": str(self.explanation)[:300],
            "explanation_text": text.as_json() if text is not None else {},
            "whole_day": self.whole_day,
        }


# How a deadline waiting for its year's holiday calendar is explained, and how
# once the calendar gives it a date (`dated_explanation`).
AWAITS_CALENDAR = gettext_noop(
    "%(n)s working days after %(what)s (%(start)s); the date awaits the %(year)s holiday calendar"
)
WORKING_DAYS_AFTER = gettext_noop("%(n)s working days after %(what)s (%(start)s)")
DAYS_AFTER = gettext_noop("%(n)s days after %(what)s (%(start)s)")
AWAITS_NOTE = gettext_noop("; the date awaits the %(year)s holiday calendar")


def dated_explanation(data: dict) -> dict:
    """The stored explanation (a Text's JSON) of a deadline that now has its date:
    without the note that it awaits the holiday calendar."""
    if not data:
        return data
    if data.get("$text") == AWAITS_CALENDAR:
        params_ = {k: v for k, v in data.get("params", {}).items() if k != "year"}
        return {"$text": WORKING_DAYS_AFTER, "params": params_}
    joined = data.get("params", {}).get("all")
    if data.get("$text") == "%(all)s" and isinstance(joined, dict) and "$join" in joined:
        parts = [p for p in joined["$join"][1] if not _is_awaits_note(p)]
        if len(parts) == 1 and isinstance(parts[0], dict):
            return parts[0]
        return {**data, "params": {"all": {"$join": [joined["$join"][0], parts]}}}
    return data


def _is_awaits_note(part) -> bool:
    return isinstance(part, dict) and part.get("$text") == AWAITS_NOTE


def end_of_day(day: dt.date) -> dt.datetime:
    """The last moment of `day` in the platform's time zone: a day deadline is met
    by anything done on that day."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59, 999999)))


def local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


class Rules:
    """The parameters in force for one project (its region, the day it started),
    looked up once each, and the calendar, loaded once per year."""

    def __init__(self, region, on: dt.date):
        self.region = region
        self.on = on
        self._cited: dict[str, params.Cited] = {}
        self.cal = calendar.WorkingCalendar()

    def cite(self, key: str) -> params.Cited:
        if key not in self._cited:
            self._cited[key] = params.cite(key, self.region, self.on)
        return self._cited[key]

    def value(self, key: str):
        return self.cite(key).value

    # --- counting ------------------------------------------------------------------

    def working_days_after(
        self, kind: str, start: dt.datetime, key: str, rule: str, what: str
    ) -> Due:
        """The day `n` working days after the day of `start` (n from parameter `key`)."""
        cited = self.cite(key)
        n = cited.value
        start_day = local_date(start)
        try:
            day = calendar.add_working_days(start_day, n, self.cal)
        except CalendarNotCovered as exc:
            return Due(
                kind,
                None,
                start,
                rule,
                cited.basis,
                key,
                Text(AWAITS_CALENDAR, n=n, what=what, start=start_day, year=exc.year),
                missing_year=exc.year,
            )
        return Due(
            kind,
            end_of_day(day),
            start,
            rule,
            cited.basis,
            key,
            Text(WORKING_DAYS_AFTER, n=n, what=what, start=start_day),
        )

    def days_after(self, kind: str, start: dt.datetime, key: str, rule: str, what: str) -> Due:
        """The day `n` calendar days after the day of `start`."""
        cited = self.cite(key)
        n = cited.value
        start_day = local_date(start)
        day = start_day + dt.timedelta(days=n)
        return Due(
            kind,
            end_of_day(day),
            start,
            rule,
            cited.basis,
            key,
            Text(DAYS_AFTER, n=n, what=what, start=start_day),
        )


# --- before the round ------------------------------------------------------------------------


def intention_due(rules: Rules, intention_at: dt.datetime) -> Due:
    """The first day the purchase notice may be published after the intention."""
    return rules.days_after(
        DeadlineKind.INTENTION,
        intention_at,
        "deadline.purchase_intention_days",
        "D1",
        Text(gettext_noop("the purchase intention")),
    )


# --- the notice and the bid period -----------------------------------------------------------


def bid_period_parameter(method: str, emergency: bool) -> tuple[str, bool]:
    """(parameter key, counted in working days?) of the least time between the
    notice (documents issued) and the bid deadline."""
    if emergency:
        return "deadline.emergency_response_days", False
    return {
        Method.OPEN_TENDER: ("deadline.tender_bid_days", False),
        Method.INVITATIONAL_TENDER: ("deadline.tender_bid_days", False),
        Method.COMPETITIVE_NEGOTIATION: ("deadline.negotiation_response_working_days", True),
        Method.COMPETITIVE_CONSULTATION: ("deadline.consultation_response_days", False),
        Method.FRAMEWORK_AGREEMENT: ("deadline.framework_response_days", False),
        Method.VOUCHER: ("deadline.framework_response_days", False),
        Method.COMPETITIVE_REVIEW: ("deadline.review_response_working_days", True),
        # Single source: the bid follows the publicity period.
        Method.SINGLE_SOURCE: ("deadline.single_source_publicity_working_days", True),
    }[method]


def clarification_parameter(method: str) -> tuple[str, bool] | None:
    """(parameter key, in working days?) of the least time between a correction
    that may affect the bids and the bid deadline; None where the law sets none."""
    return {
        Method.OPEN_TENDER: ("deadline.tender_clarification_days", False),
        Method.INVITATIONAL_TENDER: ("deadline.tender_clarification_days", False),
        Method.FRAMEWORK_AGREEMENT: ("deadline.tender_clarification_days", False),
        Method.VOUCHER: ("deadline.tender_clarification_days", False),
        Method.COMPETITIVE_NEGOTIATION: ("deadline.negotiation_clarification_working_days", True),
        Method.COMPETITIVE_CONSULTATION: ("deadline.consultation_clarification_days", False),
    }.get(method)


def rule_for(method: str, emergency: bool = False) -> str:
    if emergency:
        return "P9"
    return RULE_OF_METHOD.get(method, "P2")


def earliest_bid_deadline(rules: Rules, method: str, published_at: dt.datetime, emergency: bool):
    """The legal minimum bid deadline (a Due whose day is the first allowed day)."""
    key, working = bid_period_parameter(method, emergency)
    rule = rule_for(method, emergency)
    what = Text(gettext_noop("the notice"))
    if working:
        return rules.working_days_after(DeadlineKind.BID_DEADLINE, published_at, key, rule, what)
    return rules.days_after(DeadlineKind.BID_DEADLINE, published_at, key, rule, what)


def notice_deadlines(
    rules: Rules,
    *,
    method: str,
    published_at: dt.datetime,
    bid_deadline: dt.datetime,
    emergency: bool,
    documents_changed_at: dt.datetime | None = None,
) -> list[Due]:
    """What the purchase notice sets: notice period and documents (tenders), the
    single-source publicity, the last day for clarifications, the bid deadline
    and the opening held at it, and the window for questions on the documents."""
    rule = rule_for(method, emergency)
    out: list[Due] = []
    documents_end = None
    if not emergency and method in (Method.OPEN_TENDER, Method.INVITATIONAL_TENDER):
        out.append(
            rules.working_days_after(
                DeadlineKind.NOTICE_PERIOD,
                published_at,
                "deadline.tender_notice_working_days",
                rule,
                Text(gettext_noop("the notice")),
            )
        )
        documents = rules.working_days_after(
            DeadlineKind.DOCUMENTS,
            published_at,
            "deadline.tender_documents_available_working_days",
            rule,
            Text(gettext_noop("the notice")),
        )
        out.append(documents)
        documents_end = documents.due_at
    elif not emergency and method == Method.COMPETITIVE_CONSULTATION:
        documents = rules.working_days_after(
            DeadlineKind.DOCUMENTS,
            published_at,
            "deadline.consultation_documents_working_days",
            rule,
            Text(gettext_noop("the notice")),
        )
        out.append(documents)
        documents_end = documents.due_at
    elif method == Method.SINGLE_SOURCE:
        out.append(
            rules.working_days_after(
                DeadlineKind.PUBLICITY,
                published_at,
                "deadline.single_source_publicity_working_days",
                rule,
                Text(gettext_noop("the publicity notice")),
            )
        )
    clar = clarification_parameter(method)
    if clar is not None and not emergency:
        key, working = clar
        cited = rules.cite(key)
        n = cited.value
        deadline_day = local_date(bid_deadline)
        try:
            last = (
                calendar.add_working_days(deadline_day, -n, rules.cal)
                if working
                else deadline_day - dt.timedelta(days=n)
            )
            due_at, note = end_of_day(last), ""
        except CalendarNotCovered as exc:
            due_at = None
            note = Text(AWAITS_NOTE, year=exc.year)
        explanation = Text(
            gettext_noop(
                "at least %(n)s working days before the bid deadline; later changes that may "
                "affect the bids postpone it"
            )
            if working
            else gettext_noop(
                "at least %(n)s days before the bid deadline; later changes that may "
                "affect the bids postpone it"
            ),
            n=n,
        )
        out.append(
            Due(
                DeadlineKind.CLARIFICATION,
                due_at,
                bid_deadline,
                rule,
                cited.basis,
                key,
                explanation + note if note else explanation,
            )
        )
    key, _working = bid_period_parameter(method, emergency)
    minimum = earliest_bid_deadline(rules, method, published_at, emergency)
    out.append(
        Due(
            DeadlineKind.BID_DEADLINE,
            bid_deadline,
            published_at,
            rule,
            minimum.basis,
            key,
            Text(
                gettext_noop("set in the notice; the law's earliest: %(explanation)s"),
                explanation=minimum.explanation,
            ),
            whole_day=False,
        )
    )
    out.append(
        Due(
            DeadlineKind.OPENING,
            bid_deadline,
            published_at,
            "P12",
            "财政部令第87号 第四十条",
            "",
            Text(gettext_noop("held at the bid deadline; the bids stay sealed until then")),
            whole_day=False,
        )
    )
    # Questions on the documents: 7 working days from the end of their availability
    # (or from the notice where no period is set, or from the latest correction).
    known = documents_changed_at or documents_end or published_at
    if documents_changed_at and documents_end and documents_end > documents_changed_at:
        known = documents_end
    out.append(
        rules.working_days_after(
            DeadlineKind.QUESTION_DOCUMENTS,
            known,
            "deadline.question_working_days",
            "P11",
            Text(gettext_noop("the end of the documents' period")),
        )
    )
    return out


def moved_deadline(lead: Due | None, deadline: dt.datetime) -> dt.datetime | None:
    """Where a correction that may affect the bids moves `deadline` (the lead's day
    at the deadline's time of day), or None when the deadline keeps the lead."""
    if lead is None or lead.due_on is None or local_date(deadline) >= lead.due_on:
        return None
    return timezone.make_aware(
        dt.datetime.combine(lead.due_on, timezone.localtime(deadline).time())
    )


def clarification_lead(rules: Rules, method: str, corrected_at: dt.datetime) -> Due | None:
    """A correction that may affect the bids needs this much time before the bid
    deadline: the earliest deadline after it (None where the law sets no lead)."""
    clar = clarification_parameter(method)
    if clar is None:
        return None
    key, working = clar
    what = Text(gettext_noop("the correction"))
    if working:
        return rules.working_days_after(DeadlineKind.BID_DEADLINE, corrected_at, key, "P2", what)
    return rules.days_after(DeadlineKind.BID_DEADLINE, corrected_at, key, "P2", what)


def date_pending(
    rules: Rules, row, *, display_due: dt.datetime | None = None
) -> dt.datetime | None:
    """The date of a stored deadline that waited for its year's holiday calendar,
    or None while it still waits. `row` is a `Deadline` without `due_at`; the
    question window on the result counts from the end of the result display
    (`display_due`), the clarification lead backwards from the bid deadline."""
    if not row.parameter or row.counted_from is None:
        return None
    n = rules.value(row.parameter)
    working = "working_days" in row.parameter
    if row.kind == DeadlineKind.QUESTION_RESULT:
        if display_due is None:
            return None
        start = local_date(display_due)
    else:
        start = local_date(row.counted_from)
    if row.kind == DeadlineKind.CLARIFICATION:
        n = -n
    try:
        day = (
            calendar.add_working_days(start, n, rules.cal)
            if working
            else start + dt.timedelta(days=n)
        )
    except CalendarNotCovered:
        return None
    return end_of_day(day)


# --- after the opening ------------------------------------------------------------------------


def after_opening(rules: Rules, opened_at: dt.datetime) -> list[Due]:
    return [
        rules.working_days_after(
            DeadlineKind.QUESTION_PROCESS,
            opened_at,
            "deadline.question_working_days",
            "P11",
            Text(gettext_noop("the opening")),
        )
    ]


def after_evaluation(rules: Rules, evaluated_at: dt.datetime) -> list[Due]:
    return [
        rules.working_days_after(
            DeadlineKind.CONFIRMATION,
            evaluated_at,
            "deadline.winner_confirmation_working_days",
            "P2",
            Text(gettext_noop("the evaluation report")),
        )
    ]


def after_confirmation(rules: Rules, confirmed_at: dt.datetime) -> list[Due]:
    return [
        rules.working_days_after(
            DeadlineKind.RESULT_NOTICE,
            confirmed_at,
            "deadline.result_notice_working_days",
            "D1",
            Text(gettext_noop("the winner's confirmation")),
        )
    ]


def after_result(rules: Rules, published_at: dt.datetime) -> list[Due]:
    display = rules.working_days_after(
        DeadlineKind.RESULT_DISPLAY,
        published_at,
        "deadline.result_notice_display_working_days",
        "D1",
        Text(gettext_noop("the result notice")),
    )
    out = [display]
    if display.due_at is not None:
        out.append(
            rules.working_days_after(
                DeadlineKind.QUESTION_RESULT,
                display.due_at,
                "deadline.question_working_days",
                "P11",
                Text(gettext_noop("the end of the result notice period")),
            )
        )
    else:
        cited = rules.cite("deadline.question_working_days")
        out.append(
            Due(
                DeadlineKind.QUESTION_RESULT,
                None,
                published_at,
                "P11",
                cited.basis,
                cited.key,
                Text(
                    gettext_noop(
                        "%(n)s working days after the end of the result notice period "
                        "(not yet known)"
                    ),
                    n=cited.value,
                ),
            )
        )
    out.append(
        rules.days_after(
            DeadlineKind.CONTRACT_SIGNING,
            published_at,
            "deadline.contract_signing_days",
            running_rules.K8.id,
            Text(gettext_noop("the award notice")),
        )
    )
    return out


# --- questions and complaints (P11) ------------------------------------------------------------


def question_window(rules: Rules, known_on: dt.date) -> Due:
    return rules.working_days_after(
        DeadlineKind.QUESTION_PROCESS,
        end_of_day(known_on),
        "deadline.question_working_days",
        "P11",
        Text(gettext_noop("the day the provider knew")),
    )


def answer_due(rules: Rules, filed_at: dt.datetime) -> Due:
    return rules.working_days_after(
        DeadlineKind.QUESTION_PROCESS,
        filed_at,
        "deadline.question_answer_working_days",
        "P11",
        Text(gettext_noop("the question")),
    )


def complaint_window(rules: Rules, answer_due_on: dt.date) -> Due:
    return rules.working_days_after(
        DeadlineKind.QUESTION_PROCESS,
        end_of_day(answer_due_on),
        "deadline.complaint_working_days",
        "P11",
        Text(gettext_noop("the end of the answer period")),
    )


def complaint_review_due(rules: Rules, filed_at: dt.datetime) -> Due:
    return rules.working_days_after(
        DeadlineKind.QUESTION_PROCESS,
        filed_at,
        "deadline.complaint_review_working_days",
        "P11",
        Text(gettext_noop("the complaint")),
    )


def complaint_decision_due(rules: Rules, filed_at: dt.datetime) -> Due:
    return rules.working_days_after(
        DeadlineKind.QUESTION_PROCESS,
        filed_at,
        "deadline.complaint_decision_working_days",
        "P11",
        Text(gettext_noop("the complaint")),
    )
