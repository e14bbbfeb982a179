"""Pages of questions (质疑) and complaints (投诉): a provider files a question on a
round, the purchaser answers, the provider complains to the finance bureau,
which reviews, may suspend the purchase and decides (P11)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from govbuy.accounts.models import Role
from govbuy.accounts.permissions import require_role
from govbuy.challenges import permissions
from govbuy.challenges import selectors as challenge_selectors
from govbuy.challenges import services as challenge_services
from govbuy.challenges.forms import (
    AnswerForm,
    ComplaintFilterForm,
    ComplaintForm,
    ComplaintReviewForm,
    DecisionForm,
    QuestionForm,
    SuspendForm,
)
from govbuy.challenges.models import Complaint, QuestionSubject
from govbuy.challenges.services import question_window
from govbuy.core.errors import ApplicationError
from govbuy.core.pages import REFUSED, refuse, two_way
from govbuy.core.pages import post_data as posted
from govbuy.procurement.models import Method
from govbuy.tendering import bidding_selectors as bidding
from govbuy.tendering.services.common import rules_for
from govbuy.tendering.views import (
    STAFF_ROLES,
    acting_provider,
    filters_of,
    page_of,
    require,
)

# --- questions and complaints ------------------------------------------------------------------


def _windows(tender) -> list[dict]:
    """For each subject: when it can be questioned, and until when."""
    rows = []
    for subject, label in QuestionSubject.choices:
        if subject == QuestionSubject.PUBLICITY and tender.method != Method.SINGLE_SOURCE:
            continue
        try:
            opens_on, ends, _what = question_window(tender, subject)
        except ApplicationError as e:
            rows.append({"subject": subject, "label": label, "error": e.message})
            continue
        rows.append({"subject": subject, "label": label, "opens_on": opens_on, "ends": ends})
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def question_file(request, pk: int):
    provider = acting_provider(request)
    tender = bidding.public_tender(pk)
    form = QuestionForm(posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            question = challenge_services.file_question(
                actor=request.user,
                tender=tender,
                provider=provider,
                subject=form.cleaned_data["subject"],
                content=form.cleaned_data["content"],
            )
        except REFUSED as e:
            status = refuse(form, e)
        else:
            messages.success(
                request,
                _("Your question is filed; the purchaser answers by %(day)s.")
                % {"day": question.answer_due.isoformat()},
            )
            return redirect("challenges:question_detail", question.pk)
    return render(
        request,
        "procurement/running/question_form.html",
        {
            "tender": tender,
            "form": form,
            "windows": _windows(tender),
            "today": timezone.localdate(),
        },
        status=status,
    )


def _thread_page(request, question, *, status=200, **forms):
    user = request.user
    tender = question.tender
    project = tender.project
    complaint = Complaint.objects.filter(question=question).select_related("decided_by").first()
    today = timezone.localdate()
    is_filer = permissions.is_filer(user, question)
    window_ends = challenge_selectors.complaint_window_ends(question, rules_for(project))
    complaint_open = (
        complaint is None
        and (question.answered_at is not None or today > question.answer_due)
        and (window_ends is None or today <= window_ends)
    )
    deciding = complaint is not None and permissions.can_handle(user, tender)
    context = {
        "question": question,
        "tender": tender,
        "complaint": complaint,
        "today": today,
        "window_ends": window_ends,
        "may_answer": permissions.can_answer(user, question),
        "may_complain": is_filer and complaint_open,
        "complaint_open": complaint_open,
        "deciding": deciding,
        "may_review": deciding and permissions.can_review(user, complaint),
        "may_suspend": deciding and permissions.can_suspend(user, complaint),
        "may_decide": deciding and permissions.can_decide_complaint(user, complaint),
        "answer_form": AnswerForm(),
        "review_form": ComplaintReviewForm(),
        "suspend_form": SuspendForm(),
        "decide_form": DecisionForm(),
    }
    context.update({k: v for k, v in forms.items() if v is not None})
    return render(request, "procurement/running/thread.html", context, status=status)


@login_required
def question_detail(request, pk: int):
    return _thread_page(request, challenge_selectors.question_for_user(request.user, pk))


@login_required
@require_POST
def question_answer(request, pk: int):
    question = challenge_selectors.question_for_user(request.user, pk)
    require(permissions.is_purchaser(request.user, question.tender))
    form = AnswerForm(request.POST)
    status = 200
    if form.is_valid():
        try:
            challenge_services.answer_question(
                actor=request.user, question=question, answer=form.cleaned_data["answer"]
            )
        except REFUSED as e:
            status = refuse(form, e)
        else:
            messages.success(request, _("Your answer is sent to the provider."))
            return redirect("challenges:question_detail", question.pk)
    return _thread_page(request, question, answer_form=form, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def complaint_file(request, pk: int):
    acting_provider(request)
    question = challenge_selectors.question_for_user(request.user, pk)
    require(permissions.is_filer(request.user, question))
    if hasattr(question, "complaint"):
        messages.info(request, _("A complaint on this question is already filed."))
        return redirect("challenges:question_detail", question.pk)
    form = ComplaintForm(posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            complaint = challenge_services.file_complaint(
                actor=request.user, question=question, content=form.cleaned_data["content"]
            )
        except REFUSED as e:
            status = refuse(form, e)
        else:
            messages.success(
                request,
                _(
                    "Your complaint is filed with the finance bureau; it decides whether to "
                    "accept it by %(day)s."
                )
                % {"day": complaint.review_due.isoformat()},
            )
            return redirect("challenges:question_detail", question.pk)
    return render(
        request,
        "procurement/running/complaint_form.html",
        {
            "question": question,
            "tender": question.tender,
            "form": form,
            "window_ends": challenge_selectors.complaint_window_ends(
                question, rules_for(question.tender.project)
            ),
            "today": timezone.localdate(),
        },
        status=status,
    )


@login_required
def complaint_list(request):
    m = require_role(request, *STAFF_ROLES, Role.PROVIDER)
    filters, wanted = filters_of(ComplaintFilterForm, request)
    complaints = challenge_selectors.complaints_for_user(
        request.user, status=wanted.get("status") or None
    )
    deciding = m.role == Role.FINANCE
    return render(
        request,
        "procurement/running/complaint_list.html",
        {
            "page": page_of(request, complaints),
            "filters": filters,
            "queue": list(challenge_selectors.complaint_queue(request.user)) if deciding else [],
            "deciding": deciding,
            "today": timezone.localdate(),
        },
    )


def _complaint(request, pk):
    complaint = challenge_selectors.complaint_for_user(request.user, pk)
    require(permissions.can_handle(request.user, complaint.question.tender))
    return complaint


@login_required
def complaint_detail(request, pk: int):
    complaint = challenge_selectors.complaint_for_user(request.user, pk)
    return _thread_page(
        request, challenge_selectors.question_for_user(request.user, complaint.question_id)
    )


@login_required
@require_POST
def complaint_review(request, pk: int):
    complaint = _complaint(request, pk)
    form = ComplaintReviewForm(request.POST)

    def done(accepted):
        messages.success(
            request,
            _("The complaint is accepted (受理).")
            if accepted
            else _("The complaint is not accepted (不予受理)."),
        )
        return redirect("challenges:complaint_detail", complaint.pk)

    response, status = two_way(
        request,
        form,
        field="decision",
        yes="accept",
        no="dismiss",
        missing=_("Accept the complaint or not."),
        act=lambda accept, data: challenge_services.review_complaint(
            actor=request.user, complaint=complaint, accept=accept, note=data["review_note"]
        ),
        done=done,
    )
    if response:
        return response
    question = challenge_selectors.question_for_user(request.user, complaint.question_id)
    return _thread_page(request, question, review_form=form, status=status)


@login_required
@require_POST
def complaint_suspend(request, pk: int):
    complaint = _complaint(request, pk)
    form = SuspendForm(request.POST)
    status = 200
    if form.is_valid():
        try:
            tender = challenge_services.suspend_purchase(
                actor=request.user, complaint=complaint, days=form.cleaned_data["days"]
            )
        except REFUSED as e:
            status = refuse(form, e)
        else:
            messages.success(
                request,
                _("The purchase is suspended until %(day)s.")
                % {"day": tender.suspended_until.isoformat()},
            )
            return redirect("challenges:complaint_detail", complaint.pk)
    question = challenge_selectors.question_for_user(request.user, complaint.question_id)
    return _thread_page(request, question, suspend_form=form, status=status)


@login_required
@require_POST
def complaint_decide(request, pk: int):
    complaint = _complaint(request, pk)
    form = DecisionForm(request.POST)

    def done(_upheld):
        messages.success(request, _("The decision is recorded; any suspension is lifted."))
        return redirect("challenges:complaint_detail", complaint.pk)

    response, status = two_way(
        request,
        form,
        field="decision",
        yes="upheld",
        no="rejected",
        missing=_("Decide whether the complaint is upheld."),
        act=lambda upheld, data: challenge_services.decide_complaint(
            actor=request.user, complaint=complaint, upheld=upheld, text=data["decision_text"]
        ),
        done=done,
    )
    if response:
        return response
    question = challenge_selectors.question_for_user(request.user, complaint.question_id)
    return _thread_page(request, question, decide_form=form, status=status)
