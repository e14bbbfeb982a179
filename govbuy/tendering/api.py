"""Running a purchase over /api/v1: notices and open opportunities (public),
rounds and their deadlines, bids (sealed until the opening, P12), the remote
opening, the panel's evaluation, award and result, other methods, questions
and complaints (P11).

Each write calls one service; each read one scoped selector. Bid content —
price, technical response, attachments, even the number of bids — is read only
through the sealed selectors of `bidding_selectors`, which answer 403 ("sealed",
audited) before the opening time and 404 to users who cannot see the round.
"""

import datetime as dt
from decimal import Decimal

from django.http import FileResponse, Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate
from pydantic import Field

from govbuy.accounts.models import Role
from govbuy.core.api_auth import AUTH, PublicRateThrottle
from govbuy.core.api_types import Count, Id, KeysetPagination, PageNumberPagination
from govbuy.core.dates import TypedDate
from govbuy.core.errors import InvalidInput, NotAllowed
from govbuy.core.idempotency import idempotent
from govbuy.core.permissions import member_orgs
from govbuy.core.text import shown_records, shown_texts
from govbuy.procurement import selectors
from govbuy.procurement.api import region_by_code
from govbuy.tendering import bidding_selectors as bidding
from govbuy.tendering import services as tendering_services
from govbuy.tendering.models import BidStatus, NoticeKind

public_router = Router(tags=["running a purchase (public)"])
router = Router(tags=["running a purchase"], auth=AUTH)

PUBLIC = {"auth": None, "throttle": [PublicRateThrottle()]}


# --- output schemas ------------------------------------------------------------------------


class DeadlineOut(Schema):
    kind: str
    kind_label: str
    due_at: dt.datetime | None
    whole_day: bool
    counted_from: dt.datetime | None
    rule: str
    basis: str
    parameter: str
    explanation: str
    done_at: dt.datetime | None
    late: bool
    late_reason: str

    @staticmethod
    def resolve_kind_label(obj):
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_explanation(obj):
        return obj.explained


class CriterionOut(Schema):
    id: int
    name: str
    max_score: Decimal
    description: str
    position: int


class NoticeOut(Schema):
    id: int
    number: str
    kind: str
    kind_label: str
    title: str
    published_at: dt.datetime
    project_id: int
    project_code: str
    department: str
    region: str
    tender_id: int | None
    method: str
    due_at: dt.datetime | None
    late: bool

    @staticmethod
    def resolve_kind_label(obj):
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_project_code(obj):
        return obj.project.code

    @staticmethod
    def resolve_department(obj):
        return obj.project.department.name

    @staticmethod
    def resolve_region(obj):
        return obj.project.region.code

    @staticmethod
    def resolve_method(obj):
        return obj.tender.method if obj.tender_id else obj.project.method


class NoticeDetail(NoticeOut):
    body: str
    data: dict
    late_reason: str
    ocds_tags: list[str]


class NoticeBrief(Schema):
    id: int
    number: str
    kind: str
    title: str
    published_at: dt.datetime
    late: bool
    late_reason: str


def _round_notices(tender) -> list:
    return [n for n in bidding.notices_of(tender.project) if n.tender_id in (None, tender.pk)]


class RoundOut(Schema):
    id: int
    project_id: int
    project_code: str
    project_name: str
    department: str
    region: str
    round_no: int
    title: str
    method: str
    status: str
    evaluation_method: str
    emergency: bool
    published_at: dt.datetime
    bid_deadline: dt.datetime
    opening_at: dt.datetime
    opened_at: dt.datetime | None
    evaluated_at: dt.datetime | None
    awarded_at: dt.datetime | None
    result_published_at: dt.datetime | None
    ended_at: dt.datetime | None
    suspended_until: dt.date | None

    @staticmethod
    def resolve_project_code(obj):
        return obj.project.code

    @staticmethod
    def resolve_project_name(obj):
        return obj.project.name

    @staticmethod
    def resolve_department(obj):
        return obj.project.department.name

    @staticmethod
    def resolve_region(obj):
        return obj.project.region.code


class OrgBrief(Schema):
    id: int
    name: str


class FrameworkMemberOut(Schema):
    id: int
    provider_id: int
    provider: str
    price: Decimal
    rank: int

    @staticmethod
    def resolve_provider(obj):
        return obj.provider.name


class FrameworkOut(Schema):
    call_off_mode: str
    max_members: Count
    term_start: dt.date
    term_end: dt.date
    concluded_at: dt.datetime | None
    members: list[FrameworkMemberOut]

    @staticmethod
    def resolve_members(obj):
        return list(obj.members.select_related("provider"))


class RoundDetail(RoundOut):
    price_weight: Decimal
    sme_deduction: Decimal
    reserved_for_sme: bool
    min_bids: int
    qualification: str
    documents: str
    simplified_steps: list
    quote_round: int
    quote_deadline: dt.datetime | None
    suspended_at: dt.datetime | None
    end_reason: str
    awarded_provider_id: int | None
    awarded_provider: str | None
    award_amount: Decimal | None
    savings_rate: Decimal | None
    warnings: list[dict]
    criteria: list[CriterionOut]
    invited: list[OrgBrief]
    deadlines: list[DeadlineOut]
    notices: list[NoticeBrief]
    framework: FrameworkOut | None

    @staticmethod
    def resolve_simplified_steps(obj):
        return shown_texts(obj.simplified_steps)

    @staticmethod
    def resolve_warnings(obj):
        return shown_records(obj.warnings)

    @staticmethod
    def resolve_awarded_provider(obj):
        return obj.awarded_provider.name if obj.awarded_provider_id else None

    @staticmethod
    def resolve_criteria(obj):
        return list(obj.criteria.all())

    @staticmethod
    def resolve_invited(obj):
        return list(obj.invited.order_by("pk"))

    @staticmethod
    def resolve_deadlines(obj):
        return list(bidding.deadlines_of(tender=obj))

    @staticmethod
    def resolve_notices(obj):
        return _round_notices(obj)

    @staticmethod
    def resolve_framework(obj):
        return getattr(obj, "framework", None)


class PublicRoundOut(Schema):
    """What anyone may read of a round: never a bid, a price or a count."""

    id: int
    project_code: str
    project_name: str
    department: str
    region: str
    round_no: int
    title: str
    method: str
    status: str
    evaluation_method: str
    price_weight: Decimal
    sme_deduction: Decimal
    reserved_for_sme: bool
    qualification: str
    documents: str
    emergency: bool
    simplified_steps: list
    published_at: dt.datetime
    bid_deadline: dt.datetime
    opening_at: dt.datetime
    criteria: list[CriterionOut]
    deadlines: list[DeadlineOut]
    notices: list[NoticeBrief]
    result: dict | None = Field(None, description="the published result notice's facts")

    @staticmethod
    def resolve_simplified_steps(obj):
        return shown_texts(obj.simplified_steps)

    resolve_project_code = staticmethod(RoundOut.resolve_project_code)
    resolve_project_name = staticmethod(RoundOut.resolve_project_name)
    resolve_department = staticmethod(RoundOut.resolve_department)
    resolve_region = staticmethod(RoundOut.resolve_region)
    resolve_criteria = staticmethod(RoundDetail.resolve_criteria)
    resolve_deadlines = staticmethod(RoundDetail.resolve_deadlines)

    @staticmethod
    def resolve_notices(obj):
        return _round_notices(obj)

    @staticmethod
    def resolve_result(obj):
        if obj.result_published_at is None:
            return None
        results = [n for n in _round_notices(obj) if n.kind == NoticeKind.RESULT]
        return results[-1].data if results else None


class OpportunityOut(Schema):
    id: int
    project_code: str
    title: str
    method: str
    department: str
    region: str
    reserved_for_sme: bool
    published_at: dt.datetime
    bid_deadline: dt.datetime
    opening_at: dt.datetime

    resolve_project_code = staticmethod(RoundOut.resolve_project_code)
    resolve_department = staticmethod(RoundOut.resolve_department)
    resolve_region = staticmethod(RoundOut.resolve_region)


class ReceiptOut(Schema):
    """What the platform received and when: never the content."""

    id: int
    tender_id: int
    provider_id: int
    provider: str
    status: str
    submitted_at: dt.datetime
    digest: str
    replaces_id: int | None
    withdrawn_at: dt.datetime | None
    attachments: int
    warnings: list[dict] = Field(
        default_factory=list,
        description="what the platform warned at submission (e.g. a price above the budget)",
    )

    @staticmethod
    def resolve_provider(obj):
        return obj.provider.name

    @staticmethod
    def resolve_attachments(obj):
        return obj.n_attachments


class MyBidOut(ReceiptOut):
    tender_title: str
    tender_status: str
    project_code: str
    bid_deadline: dt.datetime
    opening_at: dt.datetime

    @staticmethod
    def resolve_tender_title(obj):
        return obj.tender.title

    @staticmethod
    def resolve_tender_status(obj):
        return obj.tender.status

    @staticmethod
    def resolve_project_code(obj):
        return obj.tender.project.code

    @staticmethod
    def resolve_bid_deadline(obj):
        return obj.tender.bid_deadline

    @staticmethod
    def resolve_opening_at(obj):
        return obj.tender.opening_at


class AttachmentOut(Schema):
    id: int
    name: str
    kind: str
    content_type: str
    size: int
    sha256: str
    url: str

    @staticmethod
    def resolve_url(obj):
        return reverse("api:bid_attachment", kwargs={"pk": obj.pk})


class QuoteOut(Schema):
    round_no: int
    price: Decimal
    note: str
    submitted_at: dt.datetime


class BidOut(Schema):
    id: int
    tender_id: int
    provider_id: int
    provider: str
    status: str
    submitted_at: dt.datetime
    price: Decimal
    technical_response: str
    sme_size: str
    digest: str
    replaces_id: int | None
    withdrawn_at: dt.datetime | None
    warnings: list[dict]
    valid: bool | None
    invalid_reason: str
    evaluated_price: Decimal | None
    price_score: Decimal | None
    technical_score: Decimal | None
    total_score: Decimal | None
    rank: int | None
    attachments: list[AttachmentOut]
    quotes: list[QuoteOut]

    @staticmethod
    def resolve_warnings(obj):
        return shown_records(obj.warnings)

    @staticmethod
    def resolve_provider(obj):
        return obj.provider.name

    @staticmethod
    def resolve_attachments(obj):
        return list(obj.attachments.all())

    @staticmethod
    def resolve_quotes(obj):
        return list(obj.quotes.all())


class OpeningLine(Schema):
    bid: int
    provider: int
    provider_name: str
    price: str
    sme_size: str
    received_at: str
    digest: str
    digest_ok: bool
    attachments: int


class OpeningResponseOut(Schema):
    id: int
    provider_id: int
    provider: str
    answer: str
    objection: str
    responded_at: dt.datetime
    reply: str
    replied_at: dt.datetime | None

    @staticmethod
    def resolve_provider(obj):
        return obj.provider.name


class OpeningOut(Schema):
    tender_id: int
    opened_at: dt.datetime | None
    record: list[OpeningLine]
    responses: list[OpeningResponseOut]


class CountOut(Schema):
    count: int


class PanelMemberOut(Schema):
    id: int
    user_id: int
    name: str
    is_chair: bool
    is_purchaser_rep: bool
    no_conflict_declared_at: dt.datetime | None
    submitted_at: dt.datetime | None

    @staticmethod
    def resolve_name(obj):
        return str(obj.user)


class MyPanelOut(Schema):
    id: int
    tender_id: int
    tender_title: str
    tender_status: str
    department: str
    opening_at: dt.datetime
    is_chair: bool
    no_conflict_declared_at: dt.datetime | None
    submitted_at: dt.datetime | None

    @staticmethod
    def resolve_tender_title(obj):
        return obj.tender.title

    @staticmethod
    def resolve_tender_status(obj):
        return obj.tender.status

    @staticmethod
    def resolve_department(obj):
        return obj.tender.project.department.name

    @staticmethod
    def resolve_opening_at(obj):
        return obj.tender.opening_at


class CreditOut(Schema):
    id: int
    kind: str
    kind_label: str
    description: str
    recorded_by: str
    project: str = Field(description="the purchase the record concerns: number and name")
    project_reference: str
    recorded_on: dt.date
    exclusion_from: dt.date | None
    exclusion_until: dt.date | None
    basis: str
    in_force: bool


class SheetBidOut(Schema):
    bid: BidOut
    price: Decimal = Field(..., description="the final price: the last quote, or the bid price")
    credit: list[CreditOut]
    my_scores: dict[int, Decimal]


class PanelSheetOut(Schema):
    tender_id: int
    criteria: list[CriterionOut]
    bids: list[SheetBidOut]


class ScoreOut(Schema):
    member_id: int
    member: str
    bid_id: int
    provider: str
    criterion_id: int
    criterion: str
    points: Decimal
    note: str

    @staticmethod
    def resolve_member(obj):
        return str(obj.member.user)

    @staticmethod
    def resolve_provider(obj):
        return obj.bid.provider.name

    @staticmethod
    def resolve_criterion(obj):
        return obj.criterion.name


class CallOffOut(Schema):
    id: int
    member_id: int
    provider: str
    amount: Decimal
    description: str
    chosen_by: str
    recipient_name: str
    created_at: dt.datetime

    @staticmethod
    def resolve_provider(obj):
        return obj.member.provider.name


# --- input schemas ---------------------------------------------------------------------------

TEXT = 20000


class NoticeFilter(Schema):
    kind: str | None = Field(None, max_length=20)
    q: str | None = Field(None, max_length=100)
    region: str | None = Field(None, max_length=12, description="GB/T 2260 code")
    method: str | None = Field(None, max_length=30)


class OpportunityFilter(Schema):
    q: str | None = Field(None, max_length=100)
    region: str | None = Field(None, max_length=12, description="GB/T 2260 code")
    method: str | None = Field(None, max_length=30)


class RoundFilter(Schema):
    status: str | None = Field(None, max_length=20)
    q: str | None = Field(None, max_length=100)
    project: Id | None = None


class IntentionIn(Schema):
    expected_on: dt.date | TypedDate = Field(
        ..., description="when the purchase is expected to start, YYYY-MM-DD"
    )
    note: str = Field("", max_length=2000)


class CriterionIn(Schema):
    name: str = Field(..., max_length=100)
    points: Decimal | str
    description: str = Field("", max_length=2000)


class FrameworkIn(Schema):
    call_off_mode: str = Field(..., max_length=10, description="direct | secondary | recipient")
    max_members: Count
    term_start: dt.date | TypedDate = Field(..., description="YYYY-MM-DD")
    term_end: dt.date | TypedDate = Field(..., description="YYYY-MM-DD")


class RoundIn(Schema):
    bid_deadline: str = Field(..., max_length=40, description="e.g. 2026-10-12T09:30 (Beijing)")
    evaluation_method: str = Field("comprehensive", max_length=20)
    price_weight: Decimal | str = "30"
    criteria: list[CriterionIn] = Field(default_factory=list, max_length=50)
    sme_deduction: Decimal | str = Field("0.10", description="share, e.g. 0.10 for 10%")
    reserved_for_sme: bool = False
    over_budget_invalid: bool = Field(
        True,
        description="the notice says a bid above the budget is invalid (财政部令第87号 第六十三条（四）)",
    )
    qualification: str = Field("", max_length=TEXT)
    documents: str = Field("", max_length=50000)
    invited: list[Id] = Field(default_factory=list, max_length=200)
    title: str = Field("", max_length=200)
    late_reason: str = Field("", max_length=5000)
    framework: FrameworkIn | None = None


class CorrectionIn(Schema):
    text: str = Field(..., max_length=TEXT)
    affects_bids: bool = False
    new_bid_deadline: str | None = Field(None, max_length=40)


class TerminateIn(Schema):
    reason: str = Field(..., max_length=5000)
    cancel_project: bool = False


class PanelIn(Schema):
    members: list[Id] = Field(..., max_length=49, description="user ids")
    chair: Id | None = None


class BidReviewIn(Schema):
    valid: bool
    reason: str = Field("", max_length=5000)


class QuoteRoundIn(Schema):
    deadline: str = Field(..., max_length=40, description="e.g. 2026-10-14T17:00")


class AwardIn(Schema):
    bid: Id | None = Field(None, description="default: the panel's first")
    reason: str = Field("", max_length=5000, description="why, when not the first")
    late_reason: str = Field("", max_length=5000)


class ResultIn(Schema):
    note: str = Field("", max_length=5000)
    late_reason: str = Field("", max_length=5000)


class CommissionIn(Schema):
    price: Decimal | str
    reason: str = Field(..., max_length=5000)


class CallOffIn(Schema):
    member: Id = Field(..., description="id of the framework member")
    amount: Decimal | str
    description: str = Field(..., max_length=5000)
    recipient_name: str = Field("", max_length=100)


class ReplyIn(Schema):
    reply: str = Field(..., max_length=5000)


class ActingProvider(Schema):
    provider: Id | None = Field(
        None, description="the provider you act for, when you act for several"
    )


class QuoteIn(ActingProvider):
    price: Decimal | str
    note: str = Field("", max_length=5000)


class OpeningAnswerIn(ActingProvider):
    confirm: bool
    objection: str = Field("", max_length=5000)


class ScoresIn(Schema):
    scores: dict[Id, dict[Id, Decimal | str]] = Field(
        ..., description="{bid id: {criterion id: points}} for every valid bid and criterion"
    )


# --- helpers ---------------------------------------------------------------------------------


def acting_provider_of(user, org_id: int | None):
    """The provider the user acts for: the one named, or the only one."""
    orgs = member_orgs(user, Role.PROVIDER)
    if org_id is not None:
        for org in orgs:
            if org.pk == org_id:
                return org
        raise NotAllowed(_("You do not act for that organization as a provider."))
    if len(orgs) == 1:
        return orgs[0]
    if not orgs:
        raise NotAllowed(_("Only a provider's staff do this."))
    raise InvalidInput(
        [{"field": "provider", "message": _("You act for several providers: name one.")}]
    )


def _live_receipt(user, tender, provider):
    """The provider's live bid on the round, found through its receipts (no content)."""
    bid = next(
        (
            b
            for b in bidding.receipt_for_user(user, tender)
            if b.provider_id == provider.pk and b.status == BidStatus.SUBMITTED
        ),
        None,
    )
    if bid is None:
        raise Http404("No live bid of yours on this round.")
    return bid


def round_of(user, pk):
    return bidding.tender_for_user(user, pk)


# --- public: notices, opportunities, a round's public view -------------------------------------


@public_router.get(
    "/notices", response=list[NoticeOut], summary="Published notices (公告), newest first", **PUBLIC
)
@paginate(KeysetPagination, page_size=50, ordering=bidding.NOTICE_ORDER)
def list_notices(request, filters: Query[NoticeFilter]):
    criteria = {
        "kind": filters.kind,
        "q": filters.q,
        "region": region_by_code(filters.region),
        "method": filters.method,
    }
    notices = bidding.public_notices(**criteria)
    notices.estimate_queryset = bidding.public_notices(**criteria, for_estimate=True)
    return notices


@public_router.get("/notices/{pk}", response=NoticeDetail, summary="One published notice", **PUBLIC)
def get_notice(request, pk: Id):
    return bidding.public_notice(pk)


@public_router.get(
    "/opportunities",
    response=list[OpportunityOut],
    summary="Rounds open for bids that any provider may answer",
    **PUBLIC,
)
@paginate(PageNumberPagination, page_size=50)
def list_opportunities(request, filters: Query[OpportunityFilter]):
    return bidding.opportunities(
        q=filters.q, region=region_by_code(filters.region), method=filters.method
    )


@public_router.get(
    "/rounds/{pk}/public",
    response=PublicRoundOut,
    summary="A round as the public sees it: deadlines with their rules, criteria, result",
    **PUBLIC,
)
def public_round(request, pk: Id):
    return bidding.public_tender(pk)


# --- rounds: the purchaser's steps ----------------------------------------------------------------


@router.get("/rounds", response=list[RoundOut], summary="Rounds (采购活动) visible to you")
@paginate(PageNumberPagination, page_size=50)
def list_rounds(request, filters: Query[RoundFilter]):
    return bidding.tenders_for_user(
        request.auth, status=filters.status, q=filters.q, project=filters.project
    )


@router.get("/rounds/{pk}", response=RoundDetail, summary="A round with its deadlines and notices")
def get_round(request, pk: Id):
    return round_of(request.auth, pk)


@router.post(
    "/projects/{pk}/intention",
    response={201: NoticeDetail},
    summary="Publish the purchase intention (采购意向), at least 30 days ahead",
)
def publish_intention(request, pk: Id, payload: IntentionIn):
    notice = tendering_services.publish_intention(
        actor=request.auth,
        project=selectors.project_for_user(request.auth, pk),
        expected_on=payload.expected_on,
        note=payload.note,
    )
    return Status(201, bidding.public_notice(notice.pk))


@router.post(
    "/projects/{pk}/rounds",
    response={201: RoundDetail},
    summary="Publish the purchase notice: a round starts with its deadlines (P2, P3, P9, D1)",
)
def start_round(request, pk: Id, payload: RoundIn):
    data = payload.dict()
    tender = tendering_services.start_round(
        actor=request.auth, project=selectors.project_for_user(request.auth, pk), **data
    )
    return Status(201, round_of(request.auth, tender.pk))


@router.post(
    "/projects/{pk}/commission",
    response={201: RoundDetail},
    summary="Commission the department's own 公益二类 unit directly (P6)",
)
@idempotent
def commission_directly(request, pk: Id, payload: CommissionIn):
    tender = tendering_services.commission_directly(
        actor=request.auth,
        project=selectors.project_for_user(request.auth, pk),
        price=payload.price,
        reason=payload.reason,
    )
    return Status(201, round_of(request.auth, tender.pk))


@router.post(
    "/rounds/{pk}/corrections",
    response={201: NoticeDetail},
    summary="Publish a correction notice; moves the bid deadline when the law says so",
)
def publish_correction(request, pk: Id, payload: CorrectionIn):
    notice = tendering_services.publish_correction(
        actor=request.auth,
        tender=round_of(request.auth, pk),
        text=payload.text,
        affects_bids=payload.affects_bids,
        new_bid_deadline=payload.new_bid_deadline,
    )
    return Status(201, bidding.public_notice(notice.pk))


@router.post(
    "/rounds/{pk}/terminate", response=NoticeDetail, summary="Terminate the round (终止公告)"
)
def terminate_round(request, pk: Id, payload: TerminateIn):
    notice = tendering_services.terminate_round(
        actor=request.auth,
        tender=round_of(request.auth, pk),
        reason=payload.reason,
        cancel_project=payload.cancel_project,
    )
    return bidding.public_notice(notice.pk)


@router.post(
    "/rounds/{pk}/open",
    response=RoundDetail,
    summary="Open the bids at the opening time (开标); too few bids fail the round",
)
def open_bids(request, pk: Id):
    tender = tendering_services.open_bids(actor=request.auth, tender=round_of(request.auth, pk))
    return round_of(request.auth, tender.pk)


@router.post(
    "/rounds/{pk}/panel",
    response=list[PanelMemberOut],
    summary="Appoint the evaluation panel (experts and the purchaser's representatives)",
)
def appoint_panel(request, pk: Id, payload: PanelIn):
    # Ids, not users: the service answers alike for no such user and for a user
    # who may not sit on the panel.
    return tendering_services.appoint_panel(
        actor=request.auth,
        tender=round_of(request.auth, pk),
        members=payload.members,
        chair=payload.chair,
    )


@router.post(
    "/bids/{pk}/review",
    response=BidOut,
    summary="Find a bid valid or invalid (资格性、符合性审查), after the opening",
)
def review_bid(request, pk: Id, payload: BidReviewIn):
    bid = tendering_services.review_bid(
        actor=request.auth,
        bid=bidding.bid_for_user(request.auth, pk),
        valid=payload.valid,
        reason=payload.reason,
    )
    return bidding.bid_for_user(request.auth, bid.pk)


@router.post(
    "/rounds/{pk}/quote-round",
    response=RoundDetail,
    summary="Ask the valid bidders for a further quote (negotiation, consultation)",
)
def open_quote_round(request, pk: Id, payload: QuoteRoundIn):
    tender = tendering_services.open_quote_round(
        actor=request.auth, tender=round_of(request.auth, pk), deadline=payload.deadline
    )
    return round_of(request.auth, tender.pk)


@router.post(
    "/rounds/{pk}/award",
    response=RoundDetail,
    summary="Confirm the winner in the panel's order (P1); records the savings rate",
)
@idempotent
def confirm_award(request, pk: Id, payload: AwardIn):
    tender = round_of(request.auth, pk)
    # An id, not a bid: the service answers alike for a bid that is not there, is
    # of another round or is not ranked.
    tendering_services.confirm_award(
        actor=request.auth,
        tender=tender,
        bid=payload.bid,
        reason=payload.reason,
        late_reason=payload.late_reason,
    )
    return round_of(request.auth, pk)


@router.post(
    "/rounds/{pk}/result",
    response={201: NoticeDetail},
    summary="Publish the result notice (中标（成交）结果公告)",
)
def publish_result(request, pk: Id, payload: ResultIn):
    notice = tendering_services.publish_result(
        actor=request.auth,
        tender=round_of(request.auth, pk),
        note=payload.note,
        late_reason=payload.late_reason,
    )
    return Status(201, bidding.public_notice(notice.pk))


@router.post(
    "/rounds/{pk}/call-offs",
    response={201: CallOffOut},
    summary="Order under a framework agreement (P4, 第二阶段)",
)
@idempotent
def call_off(request, pk: Id, payload: CallOffIn):
    tender = round_of(request.auth, pk)
    framework = getattr(tender, "framework", None)
    member = framework.members.filter(pk=payload.member).first() if framework else None
    if member is None:
        raise InvalidInput(
            [{"field": "member", "message": _("Choose a provider admitted to this agreement.")}]
        )
    order = tendering_services.call_off(
        actor=request.auth,
        member=member,
        amount=payload.amount,
        description=payload.description,
        recipient_name=payload.recipient_name,
    )
    return Status(201, order)


@router.post(
    "/rounds/{pk}/opening-responses/{response_id}/reply",
    response=OpeningResponseOut,
    summary="Reply to a bidder's objection to the opening record",
)
def reply_to_objection(request, pk: Id, response_id: Id, payload: ReplyIn):
    tender = round_of(request.auth, pk)
    response = bidding.opening_responses(tender).filter(pk=response_id).first()
    if response is None:
        raise Http404("No such answer to the opening record.")
    tendering_services.reply_to_objection(
        actor=request.auth, response=response, reply=payload.reply
    )
    return bidding.opening_responses(tender).get(pk=response_id)


# --- bids: sealed until the opening (P12) -----------------------------------------------------


@router.get(
    "/rounds/{pk}/bids",
    response=list[BidOut],
    summary="The round's bids you may read (403 'sealed' before the opening)",
)
@paginate(PageNumberPagination, page_size=50)
def list_bids(request, pk: Id):
    return bidding.bids_for_user(request.auth, round_of(request.auth, pk))


@router.get(
    "/rounds/{pk}/bid-count",
    response=CountOut,
    summary="How many live bids (403 'sealed' before the opening)",
)
def bid_count(request, pk: Id):
    return {"count": bidding.bid_count_for_user(request.auth, round_of(request.auth, pk))}


@router.get(
    "/rounds/{pk}/opening",
    response=OpeningOut,
    summary="The opening record (唱标) and the bidders' answers to it",
)
def opening_record(request, pk: Id):
    tender = round_of(request.auth, pk)
    record = bidding.opening_record_for_user(request.auth, tender)
    return {
        "tender_id": tender.pk,
        "opened_at": tender.opened_at,
        "record": record,
        "responses": list(bidding.opening_responses(tender)),
    }


@router.get(
    "/bids/{pk}",
    response=BidOut,
    summary="One bid (until the opening: 403 'sealed' to its bidder, 404 like a missing id to all others)",
)
def get_bid(request, pk: Id):
    return bidding.bid_for_user(request.auth, pk)


@router.get(
    "/attachments/{pk}",
    url_name="bid_attachment",
    summary="Download a bid's attachment (until the opening: 403 'sealed' to its bidder, 404 to all others)",
)
def download_attachment(request, pk: Id):
    attachment = bidding.attachment_for_user(request.auth, pk)
    try:
        if not attachment.file:  # deleted after the retention period
            raise FileNotFoundError
        handle = attachment.file.open("rb")
    except FileNotFoundError:
        raise Http404("The stored file is missing.") from None
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


@router.get(
    "/rounds/{pk}/scores",
    response=list[ScoreOut],
    summary="Each panel member's points (the evaluation record)",
)
def list_scores(request, pk: Id):
    return list(bidding.scores_for_user(request.auth, round_of(request.auth, pk)))


# --- providers ---------------------------------------------------------------------------------


@router.get(
    "/my/invitations",
    response=list[RoundOut],
    summary="Invitation-only rounds open for bids to which your organization is invited",
)
@paginate(PageNumberPagination, page_size=50)
def my_invitations(request):
    return bidding.invitations_for(request.auth)


@router.get(
    "/my/bids",
    response=list[MyBidOut],
    summary="Your organization's bids as receipts (time and digest, never the content)",
)
@paginate(PageNumberPagination, page_size=50)
def my_bids(request):
    return bidding.receipts_for_user(request.auth)


@router.post(
    "/rounds/{pk}/bids",
    response={201: ReceiptOut},
    summary="Submit (or replace) a bid before the deadline; multipart with files",
    description=(
        "Form fields: price (元, 2 decimals), technical_response, sme_size "
        "(large | medium | small | micro), replace (true to replace your live bid), "
        "provider (when you act for several); files: PDF, Word, Excel, PowerPoint, PNG or "
        "JPEG, type checked from the content. The server's clock decides the deadline (P12)."
    ),
)
@idempotent
def submit_bid(
    request,
    pk: Id,
    price: Form[str],
    technical_response: Form[str],
    sme_size: Form[str] = "",
    replace: Form[bool] = False,
    provider: Form[Id | None] = None,
    files: File[list[UploadedFile]] = None,
):
    tender = bidding.public_tender(pk)
    bid = tendering_services.submit_bid(
        actor=request.auth,
        tender=tender,
        provider=acting_provider_of(request.auth, provider),
        price=price,
        technical_response=technical_response,
        sme_size=sme_size,
        attachments=files or [],
        replace=replace,
    )
    return Status(201, bidding.receipt_for_user(request.auth, tender).get(pk=bid.pk))


@router.get(
    "/rounds/{pk}/receipt",
    response=list[ReceiptOut],
    summary="Your bids on the round as receipts: when received and their digest",
)
def my_receipt(request, pk: Id):
    return list(bidding.receipt_for_user(request.auth, round_of(request.auth, pk)))


@router.post(
    "/rounds/{pk}/withdraw", response=ReceiptOut, summary="Withdraw your bid before the deadline"
)
def withdraw_bid(request, pk: Id, payload: ActingProvider):
    tender = round_of(request.auth, pk)
    provider = acting_provider_of(request.auth, payload.provider)
    bid = tendering_services.withdraw_bid(
        actor=request.auth, bid=_live_receipt(request.auth, tender, provider)
    )
    return bidding.receipt_for_user(request.auth, tender).get(pk=bid.pk)


@router.post(
    "/rounds/{pk}/quotes",
    response={201: ReceiptOut},
    summary="Quote again in the open round of quotes (sealed until its deadline)",
)
@idempotent
def submit_quote(request, pk: Id, payload: QuoteIn):
    tender = round_of(request.auth, pk)
    provider = acting_provider_of(request.auth, payload.provider)
    quote = tendering_services.submit_quote(
        actor=request.auth,
        bid=_live_receipt(request.auth, tender, provider),
        price=payload.price,
        note=payload.note,
    )
    return Status(201, bidding.receipt_for_user(request.auth, tender).get(pk=quote.bid_id))


@router.post(
    "/rounds/{pk}/opening-responses",
    response={201: OpeningResponseOut},
    summary="Confirm the opening record or object to it (不见面开标)",
)
def respond_to_opening(request, pk: Id, payload: OpeningAnswerIn):
    tender = round_of(request.auth, pk)
    response = tendering_services.respond_to_opening(
        actor=request.auth,
        tender=tender,
        provider=acting_provider_of(request.auth, payload.provider),
        confirm=payload.confirm,
        objection=payload.objection,
    )
    return Status(201, bidding.opening_responses(tender).get(pk=response.pk))


# --- complaints: the finance bureau ---------------------------------------------------------


# --- the panel (评审专家) ---------------------------------------------------------------------


@router.get(
    "/my/panels", response=list[MyPanelOut], summary="Rounds on whose panel you sit, to score"
)
@paginate(PageNumberPagination, page_size=50)
def my_panels(request):
    return bidding.panels_for(request.auth)


@router.post(
    "/rounds/{pk}/no-conflict",
    response=PanelMemberOut,
    summary="Declare no conflict of interest with any bidder (回避), before scoring",
)
def declare_no_conflict(request, pk: Id):
    return tendering_services.declare_no_conflict(
        actor=request.auth, tender=round_of(request.auth, pk)
    )


@router.get(
    "/rounds/{pk}/panel-sheet",
    response=PanelSheetOut,
    summary="What the panel scores: bids with prices and credit records (sealed before opening)",
)
def panel_sheet(request, pk: Id):
    tender = round_of(request.auth, pk)
    sheet = bidding.panel_sheet(request.auth, tender)
    return {
        "tender_id": tender.pk,
        "criteria": list(tender.criteria.all()),
        "bids": [
            {
                "bid": row.bid,
                "price": row.price,
                "credit": [c.as_dict() for c in row.credit],
                "my_scores": row.my_scores,
            }
            for row in sheet
        ],
    }


@router.post(
    "/rounds/{pk}/scores",
    response=PanelMemberOut,
    summary="Submit your points for every valid bid and criterion; the last one ranks",
)
def submit_scores(request, pk: Id, payload: ScoresIn):
    return tendering_services.submit_scores(
        actor=request.auth, tender=round_of(request.auth, pk), scores=payload.scores
    )
