"""``Idempotency-Key`` for money-moving API calls (DESIGN.md: data that must never be wrong).

A client that may retry a call (a timeout, a dropped connection) sends a key of
its own choosing, unique per intended operation::

    Idempotency-Key: 7f7c0c1e-3a52-4c59-9d1b-2f4a2b8d3e10

- The first request with a key runs and its answer (status and body) is stored
  with a fingerprint of the request (method, path with query, body, user).
- A replay with the same key and the same request answers the stored response
  unchanged, with ``Idempotent-Replayed: true``; nothing runs again.
- The same key with a different request answers 422 (``idempotency_key_reused``).
- A concurrent duplicate waits for the first to finish, then replays it: the key's
  row is inserted in the same transaction as the call's own writes, so the
  unique (user, key) index holds the second back until the first commits.
- Refusals (4xx) are answers too and are stored: retrying a refused call with
  the same key gives the same refusal; send a new key for a changed request.
  Server errors (5xx) are never stored: their transaction, the key's row
  included, rolls back, and a retry runs again.
- Keys are per user (another user's same key is unrelated) and expire after
  ``GOVBUY_IDEMPOTENCY_KEY_HOURS`` (24 by default); then the key may be used
  afresh. Expired keys are purged lazily (a user's own, at their next keyed
  call) and by ``manage.py tick``.

Apply it with one line under the route decorator::

    @router.post("/projects", response={201: ProjectDetail})
    @idempotent
    def create_project(request, payload: ProjectIn): ...
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.decorators import decorate_view

from .errors import ApplicationError, InvalidInput
from .models import IdempotencyKey

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_LENGTH = 255
KEY_PATTERN = r"^[\x21-\x7e]{1,255}$"  # visible ASCII, no spaces
_KEY_RE = re.compile(KEY_PATTERN)
_MARK = "_govbuy_idempotent"


def is_idempotent(view_func) -> bool:
    return getattr(view_func, _MARK, False)


def openapi_parameter() -> dict:
    return {
        "in": "header",
        "name": HEADER,
        "required": False,
        "description": (
            "Optional. A key of your choosing (1–255 visible ASCII characters, e.g. a UUID), "
            "unique per intended operation: a retry with the same key and the same request "
            "answers the first response again (header Idempotent-Replayed: true) and never "
            "moves money twice; the same key with another request answers 422. Keys are per "
            f"user and remembered for {settings.GOVBUY_IDEMPOTENCY_KEY_HOURS} hours."
        ),
        "schema": {
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_LENGTH,
            "pattern": "^[!-~]+$",
        },
    }


def openapi_replay_header() -> dict:
    return {
        REPLAYED_HEADER: {
            "description": "true when this is the stored answer to an earlier request "
            "with the same Idempotency-Key (absent otherwise)",
            "schema": {"type": "string", "enum": ["true"]},
        }
    }


def idempotent(view):
    """Make a Ninja view answer at most once per ``Idempotency-Key``."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        raw = request.headers.get(HEADER)
        if raw is None:
            return view(request, *args, **kwargs)
        key = _clean(raw)
        operation = request._govbuy_operation
        return _once(request, key, lambda: _respond(operation, request, view, args, kwargs))

    setattr(wrapper, _MARK, True)
    # The view runs after authentication and input validation, inside Ninja's
    # Operation.run; the run decorator hands the running (bound) operation down,
    # so the wrapper can render the response exactly as Ninja would.
    return decorate_view(_pass_operation)(wrapper)


def _pass_operation(run):
    bound = run
    while not hasattr(bound, "__self__") and hasattr(bound, "__wrapped__"):
        bound = bound.__wrapped__  # another run decorator came first
    operation = bound.__self__

    @functools.wraps(run)
    def run_with_operation(request, *args, **kwargs):
        request._govbuy_operation = operation
        return run(request, *args, **kwargs)

    return run_with_operation


def _clean(raw: str) -> str:
    if not _KEY_RE.fullmatch(raw):
        raise InvalidInput(
            [
                {
                    "field": HEADER,
                    "message": _(
                        "The Idempotency-Key header takes 1 to 255 visible ASCII characters "
                        "(letters, digits, punctuation; no spaces), e.g. a UUID."
                    ),
                }
            ]
        )
    return raw


def _respond(operation, request, view, args, kwargs) -> HttpResponse:
    """Run the view and turn its result, or its error, into the response Ninja
    would send: what is stored is exactly what the client receives."""
    try:
        result = view(request, *args, **kwargs)
        return operation._result_to_response(
            request, result, operation.api.create_temporal_response(request)
        )
    except Exception as exc:  # noqa: BLE001 - Ninja's handlers decide; unknown ones re-raise
        return operation.api.on_exception(request, exc)


def fingerprint(request, user) -> str:
    digest = hashlib.sha256()
    for part in (request.method, request.get_full_path(), str(user.pk)):
        digest.update(part.encode() + b"\x00")
    digest.update(_body_digest(request))
    return digest.hexdigest()


def _body_digest(request) -> bytes:
    content_type = request.content_type or ""
    if content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        # The multipart boundary differs between tries of the same request: hash
        # what it carries, the fields and each file's name and content.
        fields = sorted((k, sorted(v)) for k, v in request.POST.lists())
        files = []
        for name, uploads in sorted(request.FILES.lists()):
            for upload in uploads:
                h = hashlib.sha256()
                for chunk in upload.chunks():
                    h.update(chunk)
                upload.seek(0)
                files.append((name, upload.name, h.hexdigest()))
        return json.dumps([fields, files], ensure_ascii=False).encode()
    body = request.body
    if "json" in content_type:
        try:
            return json.dumps(json.loads(body), sort_keys=True, ensure_ascii=False).encode()
        except ValueError:
            pass
    return hashlib.sha256(body).digest()


def _replay(row: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(bytes(row.body), status=row.status, content_type=row.content_type)
    response[REPLAYED_HEADER] = "true"
    return response


def _reused() -> ApplicationError:
    return ApplicationError(
        "idempotency_key_reused",
        _(
            "This Idempotency-Key was already used for a different request: send a new key "
            "for a new request."
        ),
        field=HEADER,
    )


def _once(request, key: str, produce) -> HttpResponse:
    user = getattr(request, "auth", None)
    if not getattr(user, "is_authenticated", False):
        raise ImproperlyConfigured(
            "@idempotent needs an authenticated operation: keys are per user"
        )
    request_print = fingerprint(request, user)
    with transaction.atomic():
        now = timezone.now()
        IdempotencyKey.objects.filter(user=user, expires_at__lte=now).delete()
        row = IdempotencyKey(
            user=user,
            key=key,
            fingerprint=request_print,
            method=request.method,
            path=request.get_full_path()[:2000],
            status=200,
            content_type="",
            body=b"",
            created_at=now,
            expires_at=now + timedelta(hours=settings.GOVBUY_IDEMPOTENCY_KEY_HOURS),
        )
        try:
            with transaction.atomic():
                row.save(force_insert=True)
        except IntegrityError:
            # Another request with this key committed first (we waited for it).
            stored = IdempotencyKey.objects.filter(user=user, key=key).first()
            if stored is None:  # it expired and was purged meanwhile: a rare race
                raise ApplicationError(
                    "idempotency_conflict",
                    _("A request with this Idempotency-Key is in progress; retry shortly."),
                    field=HEADER,
                    status=409,
                ) from None
            if stored.fingerprint != request_print:
                raise _reused() from None
            return _replay(stored)
        response = produce()
        if response.status_code >= 500 or response.streaming:
            transaction.set_rollback(True)
            return response
        row.status = response.status_code
        row.content_type = response.get("Content-Type", "")
        row.body = response.content
        row.save(update_fields=["status", "content_type", "body"])
        return response


def purge_expired() -> int:
    """Delete every expired key (manage.py tick); returns how many."""
    deleted, _by_model = IdempotencyKey.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
