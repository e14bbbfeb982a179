"""The demo's purchases under way and done: the 2026 history replayed at its dates
(the SME deduction decides the award, the complaint thread is complete), and a
round open today whose bids stay sealed."""

from decimal import Decimal

import pytest
from django.utils import timezone

from govbuy.accounts.models import User
from govbuy.challenges.models import ComplaintStatus
from govbuy.demo import running
from govbuy.demo.catalog import current_year
from govbuy.procurement.models import ProjectStatus, PurchaseProject
from govbuy.tendering import bidding_selectors as reads
from govbuy.tendering.models import BidStatus, NoticeKind, TenderStatus
from govbuy.tendering.sealing import Sealed


@pytest.fixture
def demo(demo_module, db):
    """The demo, loaded once for this module (conftest.demo_module)."""


def test_the_history_ends_with_an_award_to_the_small_enterprise(demo):
    project = PurchaseProject.objects.get(name=running.HISTORY_NAME)
    assert project.status == ProjectStatus.AWARDED
    tender = project.tenders.get()
    assert tender.status == TenderStatus.AWARDED
    assert tender.awarded_provider.sme_size == "small"
    assert tender.award_amount == Decimal("1480000.00")
    assert tender.savings_rate == Decimal("0.0750")
    winner = tender.bids.get(provider=tender.awarded_provider, status=BidStatus.SUBMITTED)
    assert winner.rank == 1 and winner.evaluated_price == Decimal("1332000.00")
    kinds = list(project.notices.order_by("published_at").values_list("kind", flat=True))
    assert kinds == [NoticeKind.INTENTION, NoticeKind.PURCHASE, NoticeKind.RESULT]
    question = tender.questions.get()
    assert question.answered_at is not None
    assert question.complaint.status == ComplaintStatus.DECIDED
    tender.refresh_from_db()
    assert not tender.is_suspended


def test_the_open_round_keeps_its_bids_sealed(demo):
    tender = PurchaseProject.objects.get(name=running.live_name(current_year())).tenders.get()
    assert tender.status == TenderStatus.BIDDING
    assert tender.bid_deadline > timezone.now()
    assert tender.bids.filter(status=BidStatus.SUBMITTED).count() == 3
    purchaser = User.objects.get(username="purchaser")
    with pytest.raises(Sealed):
        list(reads.bids_for_user(purchaser, tender))
