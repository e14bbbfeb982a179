"""/api/v1 of questions (质疑) and complaints (投诉): the same paths as before
the split (under the "running a purchase" tag)."""

import datetime as dt

from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from govbuy.challenges import selectors as challenge_selectors
from govbuy.challenges import services as challenge_services
from govbuy.core.api_auth import AUTH
from govbuy.core.api_types import Count, Id, PageNumberPagination
from govbuy.tendering import bidding_selectors as bidding
from govbuy.tendering.api import TEXT, ActingProvider, acting_provider_of

router = Router(tags=["running a purchase"], auth=AUTH)


class QuestionOut(Schema):
    id: int
    tender_id: int
    tender_title: str
    provider_id: int
    provider: str
    subject: str
    known_on: dt.date
    window_ends: dt.date
    filed_at: dt.datetime
    content: str
    answer_due: dt.date
    answer: str
    answered_at: dt.datetime | None
    answered_late: bool
    has_complaint: bool | None = None

    @staticmethod
    def resolve_tender_title(obj):
        return obj.tender.title

    @staticmethod
    def resolve_provider(obj):
        return obj.provider.name


class ComplaintOut(Schema):
    id: int
    question_id: int
    tender_id: int
    tender_title: str
    provider_id: int
    provider: str
    window_ends: dt.date
    filed_at: dt.datetime
    content: str
    status: str
    review_due: dt.date
    reviewed_at: dt.datetime | None
    review_note: str
    decision_due: dt.date
    decision: str
    decision_text: str
    decided_at: dt.datetime | None
    suspended: bool

    @staticmethod
    def resolve_tender_id(obj):
        return obj.question.tender_id

    @staticmethod
    def resolve_tender_title(obj):
        return obj.question.tender.title

    @staticmethod
    def resolve_provider(obj):
        return obj.provider.name


class AnswerIn(Schema):
    answer: str = Field(..., max_length=TEXT)


class QuestionIn(ActingProvider):
    subject: str = Field(..., max_length=12, description="documents | process | result | publicity")
    content: str = Field(..., max_length=TEXT)


class ComplaintIn(Schema):
    content: str = Field(..., max_length=TEXT)


class QuestionFilter(Schema):
    tender: Id | None = None
    open_only: bool = False


class ComplaintFilter(Schema):
    status: str | None = Field(None, max_length=10)
    tender: Id | None = None


class ComplaintReviewIn(Schema):
    accept: bool
    note: str = Field("", max_length=5000)


class SuspendIn(Schema):
    days: Count


class ComplaintDecisionIn(Schema):
    upheld: bool
    text: str = Field(..., max_length=TEXT)


@router.post(
    "/rounds/{pk}/questions",
    response={201: QuestionOut},
    summary="Question (质疑) the documents, the process or the result within 7 working days (P11)",
)
def file_question(request, pk: Id, payload: QuestionIn):
    question = challenge_services.file_question(
        actor=request.auth,
        tender=bidding.public_tender(pk),
        provider=acting_provider_of(request.auth, payload.provider),
        subject=payload.subject,
        content=payload.content,
    )
    return Status(201, challenge_selectors.question_for_user(request.auth, question.pk))


@router.get("/questions", response=list[QuestionOut], summary="Questions (质疑) visible to you")
@paginate(PageNumberPagination, page_size=50)
def list_questions(request, filters: Query[QuestionFilter]):
    return challenge_selectors.questions_for_user(
        request.auth, tender=filters.tender, open_only=filters.open_only
    )


@router.get("/questions/{pk}", response=QuestionOut)
def get_question(request, pk: Id):
    return challenge_selectors.question_for_user(request.auth, pk)


@router.post(
    "/questions/{pk}/answer",
    response=QuestionOut,
    summary="Answer a question within 7 working days",
)
def answer_question(request, pk: Id, payload: AnswerIn):
    challenge_services.answer_question(
        actor=request.auth,
        question=challenge_selectors.question_for_user(request.auth, pk),
        answer=payload.answer,
    )
    return challenge_selectors.question_for_user(request.auth, pk)


@router.post(
    "/questions/{pk}/complaint",
    response={201: ComplaintOut},
    summary="Complain (投诉) to the finance bureau after the answer (P11)",
)
def file_complaint(request, pk: Id, payload: ComplaintIn):
    complaint = challenge_services.file_complaint(
        actor=request.auth,
        question=challenge_selectors.question_for_user(request.auth, pk),
        content=payload.content,
    )
    return Status(201, challenge_selectors.complaint_for_user(request.auth, complaint.pk))


@router.get("/complaints", response=list[ComplaintOut], summary="Complaints (投诉) visible to you")
@paginate(PageNumberPagination, page_size=50)
def list_complaints(request, filters: Query[ComplaintFilter]):
    return challenge_selectors.complaints_for_user(
        request.auth, status=filters.status, tender=filters.tender
    )


@router.get("/complaints/{pk}", response=ComplaintOut)
def get_complaint(request, pk: Id):
    return challenge_selectors.complaint_for_user(request.auth, pk)


@router.post(
    "/complaints/{pk}/review",
    response=ComplaintOut,
    summary="Accept (受理) or dismiss (不予受理) a complaint",
)
def review_complaint(request, pk: Id, payload: ComplaintReviewIn):
    challenge_services.review_complaint(
        actor=request.auth,
        complaint=challenge_selectors.complaint_for_user(request.auth, pk),
        accept=payload.accept,
        note=payload.note,
    )
    return challenge_selectors.complaint_for_user(request.auth, pk)


@router.post(
    "/complaints/{pk}/suspend",
    response=ComplaintOut,
    summary="Suspend the purchase while the complaint is handled (at most 30 days)",
)
def suspend_purchase(request, pk: Id, payload: SuspendIn):
    challenge_services.suspend_purchase(
        actor=request.auth,
        complaint=challenge_selectors.complaint_for_user(request.auth, pk),
        days=payload.days,
    )
    return challenge_selectors.complaint_for_user(request.auth, pk)


@router.post(
    "/complaints/{pk}/decide",
    response=ComplaintOut,
    summary="Decide the complaint (处理决定); lifts the suspension",
)
def decide_complaint(request, pk: Id, payload: ComplaintDecisionIn):
    challenge_services.decide_complaint(
        actor=request.auth,
        complaint=challenge_selectors.complaint_for_user(request.auth, pk),
        upheld=payload.upheld,
        text=payload.text,
    )
    return challenge_selectors.complaint_for_user(request.auth, pk)
