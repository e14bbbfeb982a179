"""Questions and complaints in the views running tests (moved from
`govbuy.tendering.tests.test_views_running` with the split: they use the challenges app)."""

# ruff: noqa: F811  (fixtures of the tendering tests, imported here, are test parameters)

from __future__ import annotations

import pytest

from govbuy.challenges import services as challenge_services
from govbuy.challenges.models import Complaint, ComplaintStatus, Question
from govbuy.tendering.tests import test_views_running as tendering_tests
from govbuy.tendering.tests.test_views_running import (
    PRICES,
    appoint,
    login,
    noticed,
    opened,
    place_bids,
    queries,
    score_all,
    text,
    url,
)

# Fixtures of the tendering tests (and those they request), for these tests.
english = tendering_tests.english
outsiders = tendering_tests.outsiders

pytestmark = pytest.mark.django_db


def test_question_answer_complaint_thread(client, tendering, clock, outsiders):
    t = tendering
    tender = noticed(t, clock)
    clock.at("2026-09-18 10:00")
    login(client, t.social_user)
    page = client.get(url("question_file", tender.pk))
    body = text(page)
    assert page.status_code == 200 and "2026-10-08" in body  # the documents' window
    response = client.post(url("question_file", tender.pk), {"subject": "", "content": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["subject"] or response.context["form"].errors["content"]
    assert not Question.objects.exists()
    response = client.post(
        url("question_file", tender.pk),
        {"subject": "documents", "content": "评分标准中“类似业绩”含义不清，请澄清。"},
    )
    question = Question.objects.get()
    assert response.status_code == 302 and response["Location"] == url(
        "question_detail", question.pk
    )
    # Who sees the thread.
    for user, status in (
        (t.purchaser, 200),
        (t.finance, 200),
        (t.social_user, 200),
        (t.large_user, 404),
        (t.other_purchaser, 404),
        (t.finance_ly, 404),
        (outsiders.expert, 404),
    ):
        login(client, user)
        assert client.get(url("question_detail", question.pk)).status_code == status, user
    # The purchaser answers; an empty answer is refused beside the field.
    login(client, t.purchaser)
    inbox = client.get(url("inbox")).context["running"]
    assert [s for s in inbox if s["key"] == "questions"][0]["items"]
    response = client.post(url("question_answer", question.pk), {"answer": ""})
    assert response.status_code == 200 and "Give the answer" in text(response)
    login(client, t.finance)
    assert client.post(url("question_answer", question.pk), {"answer": "x"}).status_code == 403
    clock.at("2026-09-22 10:00")
    login(client, t.purchaser)  # sessions last 8 hours
    assert (
        client.post(
            url("question_answer", question.pk), {"answer": "指近三年同类服务。"}
        ).status_code
        == 302
    )
    # The provider may now complain, and sees until when.
    login(client, t.social_user)
    page = client.get(url("question_detail", question.pk))
    assert page.context["may_complain"] and page.context["window_ends"]
    inbox = client.get(url("inbox")).context["running"]
    item = [s for s in inbox if s["key"] == "questions"][0]["items"][0]
    assert "you may complain" in item.what and item.due_at.date() == page.context["window_ends"]
    page = client.get(url("complaint_file", question.pk))
    assert page.status_code == 200 and "15 working days" in text(page)
    response = client.post(url("complaint_file", question.pk), {"content": ""})
    assert response.status_code == 200 and not Complaint.objects.exists()
    response = client.post(url("complaint_file", question.pk), {"content": "答复不清，请求复核。"})
    assert response.status_code == 302
    complaint = Complaint.objects.get()
    # The finance bureau of the region: accept, suspend within the limit, decide.
    login(client, t.finance)
    page = client.get(url("complaint_list"))
    assert [c.pk for c in page.context["queue"]] == [complaint.pk]
    page = client.get(url("complaint_detail", complaint.pk))
    assert page.status_code == 200 and "Accept (受理)" in text(page)
    response = client.post(url("complaint_review", complaint.pk), {"decision": "dismiss"})
    assert response.status_code == 200 and "Give why it is not accepted" in text(response)
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.FILED
    assert (
        client.post(url("complaint_review", complaint.pk), {"decision": "accept"}).status_code
        == 302
    )
    response = client.post(url("complaint_suspend", complaint.pk), {"days": "45"})
    assert response.status_code == 200
    assert response.context["suspend_form"].violations["days"][0].rule == "P11"
    response = client.post(url("complaint_suspend", complaint.pk), {"days": "abc"})
    assert response.context["suspend_form"].errors["days"]
    tender.refresh_from_db()
    assert not tender.is_suspended
    assert client.post(url("complaint_suspend", complaint.pk), {"days": "10"}).status_code == 302
    tender.refresh_from_db()
    assert tender.suspended_until.isoformat() == "2026-10-02"
    assert "Suspended by the finance bureau" in text(client.get(url("round_detail", tender.pk)))
    response = client.post(url("complaint_decide", complaint.pk), {"decision": "rejected"})
    assert response.status_code == 200 and "Give the decision" in text(response)
    response = client.post(
        url("complaint_decide", complaint.pk),
        {"decision": "rejected", "decision_text": "答复已说明，投诉不成立。"},
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.DECIDED
    # The thread shows each step with its time and deadline.
    body = text(client.get(url("question_detail", question.pk)))
    for piece in ("Answer of the purchaser", "due 2026-", "Acceptance", "Decision", "Rejected"):
        assert piece in body
    # Others may not act on the complaint.
    for user, status in (
        (t.finance_ly, 404),
        (t.purchaser, 403),
        (t.auditor, 403),
        (t.social_user, 403),
        (t.large_user, 404),
    ):
        login(client, user)
        response = client.post(url("complaint_decide", complaint.pk), {"decision": "upheld"})
        assert response.status_code == status, user


def test_question_after_its_window_is_refused_with_the_deadline(client, tendering, clock):
    t = tendering
    tender = noticed(t, clock)
    clock.at("2026-10-09 10:00")  # the documents' window closed on 8 Oct
    login(client, t.social_user)
    response = client.post(
        url("question_file", tender.pk), {"subject": "documents", "content": "迟到的质疑"}
    )
    assert response.status_code == 200
    violation = response.context["form"].violations["content"][0]
    assert violation.rule == "P11" and "2026-10-08" in violation.message
    assert not Question.objects.exists()
    for user in (t.purchaser, t.finance, t.experts[0]):
        login(client, user)
        assert client.get(url("question_file", tender.pk)).status_code == 403


def test_complaint_list_per_role_and_queries(
    client, tendering, clock, django_assert_max_num_queries
):
    t = tendering
    tender = noticed(t, clock)
    clock.at("2026-09-18 10:00")
    questions = [
        challenge_services.file_question(
            actor=u, tender=tender, provider=o, subject="documents", content="请澄清。"
        )
        for o, u in ((t.large, t.large_user), (t.small, t.small_user))
    ]
    clock.at("2026-10-09 10:00")  # answer periods over without an answer
    complaints = [
        challenge_services.file_complaint(actor=u, question=q, content="未答复。")
        for q, u in zip(questions, (t.large_user, t.small_user), strict=True)
    ]
    login(client, t.finance)
    few = queries(client, django_assert_max_num_queries, url("complaint_list"), 14)
    page = client.get(url("complaint_list"))
    assert {c.pk for c in page.context["page"]} == {c.pk for c in complaints}
    assert (
        client.get(url("complaint_list"), {"status": "decided"}).context["page"].paginator.count
        == 0
    )
    assert client.get(url("complaint_list"), {"status": "x"}).status_code == 200
    clock.at("2026-09-18 11:00")
    extra = challenge_services.file_question(
        actor=t.social_user, tender=tender, provider=t.social, subject="documents", content="x"
    )
    clock.at("2026-10-09 11:00")
    challenge_services.file_complaint(actor=t.social_user, question=extra, content="未答复。")
    assert queries(client, django_assert_max_num_queries, url("complaint_list"), few) <= few
    login(client, t.large_user)
    page = client.get(url("complaint_list"))
    assert [c.pk for c in page.context["page"]] == [complaints[0].pk]
    login(client, t.finance_ly)
    assert client.get(url("complaint_list")).context["page"].paginator.count == 0
    assert client.get(url("complaint_detail", complaints[0].pk)).status_code == 404
    login(client, t.experts[0])
    assert client.get(url("complaint_list")).status_code == 403


def test_inbox_per_role_says_what_is_due_and_by_when(
    client, tendering, clock, django_assert_max_num_queries
):
    t = tendering
    tender = noticed(t, clock)
    bids = place_bids(t, clock, tender)
    appoint(t, tender)
    # Before the opening: the purchaser opens the bids at the deadline, the
    # bidders may change their bids until then, the panel waits.
    login(client, t.purchaser)
    sections = {s["key"]: s["items"] for s in client.get(url("inbox")).context["running"]}
    assert [i.what for i in sections["deadlines"]] == ["Open the bids"]
    assert sections["deadlines"][0].due_at == tender.bid_deadline
    login(client, t.large_user)
    page = client.get(url("inbox"))
    sections = {s["key"]: s["items"] for s in page.context["running"]}
    assert sections["bids"][0].due_at == tender.bid_deadline
    assert PRICES["large"] not in text(page) and "500,123.45" not in text(page)
    login(client, t.experts[2])
    sections = {s["key"]: s["items"] for s in client.get(url("inbox")).context["running"]}
    assert sections["panels"][0].what == "Evaluate after the opening"
    # After the opening: bidders confirm the record; the panel scores.
    opened(t, clock, tender)
    login(client, t.small_user)
    sections = {s["key"]: s["items"] for s in client.get(url("inbox")).context["running"]}
    assert sections["openings"] and not sections["bids"]
    login(client, t.experts[2])
    sections = {s["key"]: s["items"] for s in client.get(url("inbox")).context["running"]}
    assert "Declare no conflict" in sections["panels"][0].what
    # Evaluated: the purchaser confirms the winner by the deadline.
    score_all(t, tender, bids)
    login(client, t.purchaser)
    sections = {s["key"]: s["items"] for s in client.get(url("inbox")).context["running"]}
    assert [i.what for i in sections["deadlines"]] == ["Confirm the winner"]
    assert sections["deadlines"][0].due_at.date().isoformat() == "2026-10-19"
    # The finance bureau: nothing until a complaint arrives.
    login(client, t.finance)
    sections = {s["key"]: s["items"] for s in client.get(url("inbox")).context["running"]}
    assert sections["complaints"] == []
    # Query counts stay flat as the items grow.
    login(client, t.large_user)
    client.get(url("inbox"))
    few = queries(client, django_assert_max_num_queries, url("inbox"), 20)
    clock.at("2026-10-12 10:00")
    for _ in range(3):
        challenge_services.file_question(
            actor=t.large_user,
            tender=tender,
            provider=t.large,
            subject="process",
            content="请复核。",
        )
    assert queries(client, django_assert_max_num_queries, url("inbox"), few) <= few
    page = client.get(url("inbox"))
    assert len({s["key"]: s["items"] for s in page.context["running"]}["questions"]) == 3
    login(client, t.auditor)
    assert client.get(url("inbox")).status_code == 403
