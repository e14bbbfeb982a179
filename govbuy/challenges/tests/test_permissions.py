"""Who may do what with questions and complaints (`challenges.permissions`, P11),
on real objects: the filer complains, the round's purchaser answers, the
finance bureau of the purchase's own region handles the complaint; another
provider, another department, a bureau above or elsewhere and the platform
administrator may not."""

from __future__ import annotations

import pytest

from govbuy.challenges import permissions
from govbuy.challenges import services as challenge_services
from govbuy.challenges.models import Complaint, ComplaintStatus
from govbuy.core.errors import NotAllowed
from govbuy.tendering.tests.test_views_running import noticed

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(make_org, make_user):
    return make_user("platform_admin", make_org("平台运营中心（测）", "410000"))


def test_questions_and_complaints(tendering, clock, admin):
    t = tendering
    tender = noticed(t, clock)
    question = challenge_services.file_question(
        actor=t.large_user,
        tender=tender,
        provider=t.large,
        subject="documents",
        content="评分标准第二项与需求不符，请予澄清。",
    )
    assert permissions.is_filer(t.large_user, question)
    assert not permissions.is_filer(t.small_user, question)
    assert not permissions.is_filer(admin, question)
    assert permissions.can_answer(t.purchaser, question)
    for outsider in (t.other_purchaser, t.finance, t.large_user, admin):
        assert not permissions.can_answer(outsider, question)
    # The same-level finance bureau handles complaints on the purchase.
    assert permissions.can_handle(t.finance, tender)
    for outsider in (t.finance_hn, t.finance_ly, t.purchaser, admin):
        assert not permissions.can_handle(outsider, tender)
    with pytest.raises(NotAllowed):
        permissions.require_handle(t.finance_ly, tender)
    with pytest.raises(NotAllowed):
        permissions.require_handle(admin, tender)
    complaint = Complaint(question=question, status=ComplaintStatus.FILED)
    assert permissions.can_review(t.finance, complaint)
    assert permissions.can_suspend(t.finance, complaint)
    assert not permissions.can_decide_complaint(t.finance, complaint)
    complaint.status = ComplaintStatus.ACCEPTED
    complaint.suspended = True
    assert not permissions.can_review(t.finance, complaint)
    assert not permissions.can_suspend(t.finance, complaint)
    assert permissions.can_decide_complaint(t.finance, complaint)
    assert not permissions.can_decide_complaint(t.finance_hn, complaint)
