"""Idempotency-Key over the real HTTP stack, on ``POST /api/v1/projects`` (it
commits the budget): a replay answers the first response and commits nothing
again; another body with the same key is 422; keys are per user and expire; a
refusal is replayed as it was; a server error is not stored (and answers the
one JSON error body in production); concurrent duplicates on PostgreSQL make
exactly one commitment."""

import datetime as dt
import json
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import path
from django.utils import timezone
from ninja import Status

from govbuy.core.api_auth import AUTH
from govbuy.core.api_types import Id
from govbuy.core.idempotency import HEADER, REPLAYED_HEADER, idempotent
from govbuy.core.models import HolidayCalendar, IdempotencyKey
from govbuy.core.openapi import API
from govbuy.procurement.models import PurchaseProject

PROJECTS = "/api/v1/projects"


def body_for(line, **over) -> dict:
    return {
        "budget_line": line.pk,
        "name": "老年助餐服务采购",
        "amount": "300000.00",
        "content": "为辖区老年人提供助餐服务",
        **over,
    }


def post(client, body, key=None, **extra):
    if key is not None:
        extra[f"HTTP_{HEADER.upper().replace('-', '_')}"] = key
    return client.post(PROJECTS, data=json.dumps(body), content_type="application/json", **extra)


def committed(line) -> Decimal:
    line.refresh_from_db()
    return line.committed


@pytest.fixture
def line(buying):
    return buying.line("1000000.00")


@pytest.fixture
def purchaser(client, buying):
    client.force_login(buying.purchaser)
    return client


def test_a_replay_answers_the_first_response_and_commits_once(purchaser, line):
    first = post(purchaser, body_for(line), key="order-2026-0001")
    assert first.status_code == 201, first.content
    assert REPLAYED_HEADER not in first
    again = post(purchaser, body_for(line), key="order-2026-0001")
    assert again.status_code == 201
    assert again.content == first.content
    assert again[REPLAYED_HEADER] == "true"
    assert PurchaseProject.objects.filter(budget_line=line).count() == 1
    assert committed(line) == Decimal("300000.00")
    # The same request with the keys of a JSON body in another order is the same request.
    reordered = json.loads(json.dumps(body_for(line)))
    reordered = dict(reversed(list(reordered.items())))
    assert post(purchaser, reordered, key="order-2026-0001").content == first.content
    # Without a key, a second call is a second purchase (what the key prevents).
    assert post(purchaser, body_for(line)).status_code == 201
    assert committed(line) == Decimal("600000.00")


def test_the_same_key_with_another_body_is_422_and_changes_nothing(purchaser, line):
    assert post(purchaser, body_for(line), key="k-1").status_code == 201
    r = post(purchaser, body_for(line, amount="200000.00"), key="k-1")
    assert r.status_code == 422
    assert r.json()["code"] == "idempotency_key_reused"
    assert r.json()["errors"][0]["field"] == HEADER
    assert committed(line) == Decimal("300000.00")
    # Nor may the key be spent on another operation.
    r = purchaser.patch(
        f"{PROJECTS}/{PurchaseProject.objects.get().pk}",
        data=json.dumps({"amount": "100000.00"}),
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k-1",
    )
    assert r.status_code == 422 and r.json()["code"] == "idempotency_key_reused"
    assert committed(line) == Decimal("300000.00")


def test_another_users_same_key_is_independent(client, buying, line):
    client.force_login(buying.purchaser)
    mine = post(client, body_for(line), key="shared-key")
    client.force_login(buying.manager)
    theirs = post(client, body_for(line), key="shared-key")
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]
    assert REPLAYED_HEADER not in theirs
    assert committed(line) == Decimal("600000.00")
    assert IdempotencyKey.objects.filter(key="shared-key").count() == 2


def test_a_key_expires_after_the_configured_hours(purchaser, line, settings, clock):
    settings.GOVBUY_IDEMPOTENCY_KEY_HOURS = 2
    assert post(purchaser, body_for(line), key="k-exp").status_code == 201
    row = IdempotencyKey.objects.get(key="k-exp")
    assert row.expires_at - row.created_at == dt.timedelta(hours=2)
    start = timezone.now()
    clock.at(start + dt.timedelta(minutes=119))
    assert post(purchaser, body_for(line), key="k-exp")[REPLAYED_HEADER] == "true"
    clock.at(start + dt.timedelta(minutes=121))
    r = post(purchaser, body_for(line), key="k-exp")
    assert r.status_code == 201 and REPLAYED_HEADER not in r
    clock.stop()
    assert committed(line) == Decimal("600000.00")
    assert IdempotencyKey.objects.filter(key="k-exp").count() == 1


def test_tick_purges_expired_keys(purchaser, line):
    from django.core.management import call_command

    assert post(purchaser, body_for(line), key="k-old").status_code == 201
    assert post(purchaser, body_for(line), key="k-new").status_code == 201
    IdempotencyKey.objects.filter(key="k-old").update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    call_command("tick")
    assert list(IdempotencyKey.objects.values_list("key", flat=True)) == ["k-new"]


def test_a_refusal_is_stored_and_replayed_as_it_was(purchaser, line):
    too_much = body_for(line, amount="1000000.01")
    r = post(purchaser, too_much, key="k-b1")
    assert r.status_code == 422 and r.json()["violations"][0]["rule"] == "B1"
    again = post(purchaser, too_much, key="k-b1")
    assert again.status_code == 422 and again.content == r.content
    assert again[REPLAYED_HEADER] == "true"
    assert committed(line) == 0


def test_input_the_schema_refuses_is_not_stored(purchaser, line):
    r = post(purchaser, {"name": "x"}, key="k-bad")
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"
    assert not IdempotencyKey.objects.exists()
    assert post(purchaser, body_for(line), key="k-bad").status_code == 201
    assert IdempotencyKey.objects.get().key == "k-bad"


@pytest.mark.parametrize("key", ["", "has space", "x" * 256, "钥匙"])
def test_a_malformed_key_is_a_field_error(purchaser, line, key):
    r = post(purchaser, body_for(line), key=key)
    assert r.status_code == 422, r.content
    assert r.json()["errors"][0]["field"] == HEADER
    assert committed(line) == 0


# --- a server error is never stored, and is JSON in production ----------------------------------

failing_api = API(urls_namespace="idempotency_test")


@failing_api.post("/holidays/{year}", response={201: dict}, auth=AUTH)
@idempotent
def record_then_fail(request, year: Id):
    HolidayCalendar.objects.create(year=year, basis="测试")
    if request.GET.get("fail"):
        raise RuntimeError("a bug after the write")
    return Status(201, {"year": year})


urlpatterns = [path("api/test/", failing_api.urls)]
handler500 = "govbuy.core.error_views.server_error"


@pytest.mark.urls(__name__)
def test_a_server_error_rolls_back_and_is_not_stored(buying, settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(buying.purchaser)
    key = {"HTTP_IDEMPOTENCY_KEY": "k-500"}
    r = client.post("/api/test/holidays/2031?fail=1", **key)
    assert r.status_code == 500
    assert r["Content-Type"].startswith("application/json")
    assert r.json()["code"] == "server_error"
    assert not HolidayCalendar.objects.filter(year=2031).exists()
    assert not IdempotencyKey.objects.exists()
    # The retry runs again (a different query string is a different request: new key).
    r = client.post("/api/test/holidays/2031", HTTP_IDEMPOTENCY_KEY="k-500b")
    assert r.status_code == 201
    assert client.post("/api/test/holidays/2031", HTTP_IDEMPOTENCY_KEY="k-500b").content == (
        r.content
    )
    assert HolidayCalendar.objects.filter(year=2031).count() == 1


# --- concurrent duplicates ---------------------------------------------------------------------


@pytest.mark.postgres_only
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs PostgreSQL: SQLite serializes all writers, so there is no concurrency to test",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_commit_exactly_once(buying):
    from govbuy.accounts.services import create_api_token

    line = buying.line("1000000.00")
    _token, secret = create_api_token(actor=buying.purchaser, name="retries")
    threads_n = 8
    barrier = threading.Barrier(threads_n)
    answers, errors = [], []

    def retry(i):
        try:
            barrier.wait(timeout=30)
            r = Client().post(
                PROJECTS,
                data=json.dumps(body_for(line)),
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {secret}",
                HTTP_IDEMPOTENCY_KEY="concurrent-1",
            )
            answers.append((r.status_code, r.get(REPLAYED_HEADER), r.content))
        except Exception as exc:  # anything but an answer is a defect
            errors.append((i, repr(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=retry, args=(i,)) for i in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert errors == []
    assert len(answers) == threads_n
    firsts = [a for a in answers if a[0] == 201 and a[1] is None]
    assert len(firsts) == 1
    # Every other answer is the first one, replayed (or a 409 to retry, never a second purchase).
    others = [a for a in answers if a is not firsts[0]]
    assert all((a[1] == "true" and a[2] == firsts[0][2]) or a[0] == 409 for a in others), others
    assert PurchaseProject.objects.filter(budget_line=line).count() == 1
    line.refresh_from_db()
    assert line.committed == Decimal("300000.00")
