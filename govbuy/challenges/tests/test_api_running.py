"""Questions and complaints in the api running tests (moved from
`govbuy.tendering.tests.test_api_running` with the split: they use the challenges app)."""

# ruff: noqa: F811  (fixtures of the tendering tests, imported here, are test parameters)

from django.core.cache import cache

from govbuy.challenges import services as challenge_services
from govbuy.challenges.models import Question
from govbuy.core.models import AuditEvent
from govbuy.procurement.tests.test_api import API, as_user, call, fields_of, rules_of
from govbuy.tendering import services as tendering_services
from govbuy.tendering.tests import test_api_running as tendering_tests
from govbuy.tendering.tests.test_api_running import (
    appoint,
    bid_all,
    count_queries,
    ids,
    is_challenge_route,
    listed_routes,
    more_rounds,
    pdf,
    scoped_routes,
)

# Fixtures of the tendering tests (and those they request), for these tests.
media = tendering_tests.media
t = tendering_tests.t
w = tendering_tests.w


def test_a_question_answer_complaint_and_decision_thread(client, w, clock):
    path = f"/rounds/{w.tender.pk}/questions"
    clock.at("2026-09-21 10:00")
    for user, status in ((w.purchaser, 403), (w.finance, 403), (w.experts[0], 403)):
        as_user(client, user)
        r = call(client, "post", path, {"subject": "documents", "content": "x"})
        assert r.status_code == status, user
    as_user(client, w.unit_user)
    r = call(client, "post", path, {"subject": "documents", "content": " "})
    assert r.status_code == 422 and fields_of(r) == {"content"}
    r = call(client, "post", path, {"subject": "rumours", "content": "x"})
    assert r.status_code == 422 and fields_of(r) == {"subject"}
    r = call(client, "post", path, {"subject": "result", "content": "结果不公"})
    assert r.status_code == 403  # only bidders question the result
    assert not Question.objects.exists()
    r = call(
        client,
        "post",
        path,
        {"subject": "documents", "content": "评分办法中“类似业绩”未界定范围，请求澄清。"},
    )
    assert r.status_code == 201, r.content
    question = r.json()
    assert question["window_ends"] == "2026-10-08" and question["answer_due"] == "2026-10-08"
    q = f"/questions/{question['id']}"
    for user in (w.purchaser, w.manager, w.finance, w.finance_hn, w.auditor, w.admin, w.unit_user):
        as_user(client, user)
        assert ids(call(client, "get", "/questions")) == [question["id"]], user
        assert call(client, "get", q).status_code == 200, user
    for user in (w.other_purchaser, w.finance_ly, w.large_user, w.experts[0]):
        as_user(client, user)
        assert ids(call(client, "get", "/questions")) == [], user
        assert call(client, "get", q).status_code == 404, user
    as_user(client, w.purchaser)
    assert ids(client.get(f"{API}/questions", {"open_only": True})) == [question["id"]]
    assert ids(client.get(f"{API}/questions", {"tender": w.tender.pk + 1})) == []
    # The answer, by the purchaser only.
    for user, status in ((w.finance, 403), (w.unit_user, 403), (w.other_purchaser, 404)):
        as_user(client, user)
        assert call(client, "post", f"{q}/answer", {"answer": "x"}).status_code == status, user
    as_user(client, w.unit_user)
    r = call(client, "post", f"{q}/complaint", {"content": "未答复"})
    assert r.status_code == 422 and rules_of(r) == [("P11", "content")]
    clock.at("2026-09-28 10:00")
    as_user(client, w.purchaser)
    assert call(client, "post", f"{q}/answer", {"answer": ""}).status_code == 422
    r = call(client, "post", f"{q}/answer", {"answer": "类似业绩指近三年同类助餐服务合同。"})
    assert r.status_code == 200 and r.json()["answered_late"] is False
    assert call(client, "post", f"{q}/answer", {"answer": "again"}).status_code == 409
    # The complaint, by the provider that questioned.
    as_user(client, w.purchaser)
    assert call(client, "post", f"{q}/complaint", {"content": "x"}).status_code == 403
    as_user(client, w.unit_user)
    r = call(client, "post", f"{q}/complaint", {"content": "答复未解决评分标准不明确的问题。"})
    assert r.status_code == 201, r.content
    complaint = r.json()
    assert complaint["status"] == "filed" and complaint["tender_id"] == w.tender.pk
    c = f"/complaints/{complaint['id']}"
    for user in (w.finance, w.finance_hn, w.auditor, w.admin, w.purchaser, w.unit_user):
        as_user(client, user)
        assert ids(call(client, "get", "/complaints")) == [complaint["id"]], user
        assert call(client, "get", c).status_code == 200, user
    for user in (w.finance_ly, w.other_purchaser, w.large_user):
        as_user(client, user)
        assert ids(call(client, "get", "/complaints")) == [], user
        assert call(client, "get", c).status_code == 404, user
    # The finance bureau of the region decides; others may not.
    for user, status in (
        (w.finance_hn, 403),
        (w.auditor, 403),
        (w.purchaser, 403),
        (w.unit_user, 403),
        (w.finance_ly, 404),
    ):
        as_user(client, user)
        assert call(client, "post", f"{c}/review", {"accept": True}).status_code == status, user
        assert call(client, "post", f"{c}/suspend", {"days": 10}).status_code == status, user
        r = call(client, "post", f"{c}/decide", {"upheld": False, "text": "x"})
        assert r.status_code == status, user
    as_user(client, w.finance)
    assert call(client, "post", f"{c}/review", {"accept": False}).status_code == 422
    r = call(client, "post", f"{c}/review", {"accept": True})
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    r = call(client, "post", f"{c}/suspend", {"days": 31})
    assert r.status_code == 422 and rules_of(r) == [("P11", "days")]
    r = call(client, "post", f"{c}/suspend", {"days": "many"})
    assert r.status_code == 422 and fields_of(r) == {"days"}
    r = call(client, "post", f"{c}/suspend", {"days": 10})
    assert r.status_code == 200 and r.json()["suspended"] is True
    as_user(client, w.purchaser)
    assert call(client, "get", f"/rounds/{w.tender.pk}").json()["suspended_until"] == "2026-10-08"
    as_user(client, w.finance)
    r = call(client, "post", f"{c}/decide", {"upheld": True, "text": ""})
    assert r.status_code == 422 and fields_of(r) == {"decision_text"}
    r = call(
        client,
        "post",
        f"{c}/decide",
        {"upheld": True, "text": "评分标准确有歧义，责令修改采购文件。"},
    )
    assert r.status_code == 200 and r.json()["status"] == "decided"
    assert r.json()["decision"] == "upheld"
    assert ids(client.get(f"{API}/complaints", {"status": "decided"})) == [complaint["id"]]
    assert ids(client.get(f"{API}/complaints", {"status": "filed"})) == []
    as_user(client, w.purchaser)
    assert call(client, "get", f"/rounds/{w.tender.pk}").json()["suspended_until"] is None


def test_a_question_after_its_window_is_refused_with_the_deadline(client, w, clock):
    clock.at("2026-10-09 10:00")
    as_user(client, w.unit_user)
    r = call(
        client,
        "post",
        f"/rounds/{w.tender.pk}/questions",
        {"subject": "documents", "content": "采购文件评分标准不明确"},
    )
    assert r.status_code == 422 and r.json()["code"] == "rule_violation"
    (violation,) = r.json()["violations"]
    assert violation["rule"] == "P11" and violation["field"] == "content"
    assert "2026-10-08" in violation["message"]
    assert not Question.objects.exists()
    assert not AuditEvent.objects.filter(action="procurement.question.file").exists()


def test_list_queries_do_not_grow_with_the_rows(client, w, clock, django_assert_max_num_queries):
    bid_all(w, clock)
    clock.at("2026-09-21 10:00")

    def question(user, org):
        return challenge_services.file_question(
            actor=user, tender=w.tender, provider=org, subject="documents", content="请求澄清"
        )

    first = question(w.large_user, w.large)
    challenge_services.answer_question(actor=w.purchaser, question=first, answer="已澄清")
    challenge_services.file_complaint(actor=w.large_user, question=first, content="不满意")
    clock.at("2026-10-09 15:00")
    lists = [
        (w.purchaser, "/rounds", None),
        (w.large_user, "/my/bids", None),
        (w.purchaser, "/questions", None),
        (w.finance, "/complaints", None),
        (w.experts[0], "/my/panels", None),
        (None, "/notices", None),
        (None, "/opportunities", None),
    ]
    appoint(w)

    def counts():
        found = {}
        for user, path, params in lists:
            if user is None:
                client.logout()
            else:
                as_user(client, user)
            client.get(f"{API}{path}")  # warm-up
            found[path] = count_queries(client, path, django_assert_max_num_queries, params)
        return found

    cache.clear()
    few = counts()
    extra = more_rounds(w, clock, ["社区助浴服务采购", "居家适老化改造服务采购"])
    clock.at("2026-09-21 10:00")
    for tender in extra:
        for who in ("large", "small", "social"):
            q = challenge_services.file_question(
                actor=getattr(w, f"{who}_user"),
                tender=tender,
                provider=getattr(w, who),
                subject="documents",
                content="请求澄清",
            )
            challenge_services.answer_question(actor=w.purchaser, question=q, answer="已澄清")
            challenge_services.file_complaint(
                actor=getattr(w, f"{who}_user"), question=q, content="不满意"
            )
        tendering_services.appoint_panel(actor=w.purchaser, tender=tender, members=w.panel)
    clock.at("2026-10-09 15:00")
    for tender in extra:
        for who in ("large", "small", "social"):
            tendering_services.submit_bid(
                actor=getattr(w, f"{who}_user"),
                tender=tender,
                provider=getattr(w, who),
                price="400000.00",
                technical_response="方案",
                sme_size=getattr(w, who).sme_size,
                attachments=[pdf()],
            )
    cache.clear()
    many = counts()
    assert many == few
    as_user(client, w.purchaser)
    assert call(client, "get", "/rounds").json()["count"] == 3
    assert call(client, "get", "/questions").json()["count"] == 7
    as_user(client, w.large_user)
    assert call(client, "get", "/my/bids").json()["count"] == 3


def test_every_scoped_endpoint_of_the_router_is_in_the_anonymous_list():
    from govbuy.challenges.api import router

    listed = {(m, p) for m, p in listed_routes() if is_challenge_route(p)}
    assert scoped_routes(router) == listed
