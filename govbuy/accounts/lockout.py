"""Login lockout (django-axes) with two limits.

AXES_LOCKOUT_PARAMETERS counts failures per (username, address) and per
username across all addresses, but axes compares every count with one limit.
The per-username count gets its own, higher limit
(GOVBUY_LOGIN_USERNAME_FAILURE_LIMIT): it is expressed on the per-address scale,
where floor(n × L / U) ≥ L exactly when n ≥ U.
"""

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone


class LockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials=None) -> int:
        counts = [
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]
        if len(counts) != 2:  # another AXES_LOCKOUT_PARAMETERS: plain axes behaviour
            return max(counts, default=0)
        per_address, per_username = counts
        scaled = per_username * settings.AXES_FAILURE_LIMIT // username_limit()
        return max(per_address, scaled)


def username_limit() -> int:
    return settings.GOVBUY_LOGIN_USERNAME_FAILURE_LIMIT


def locked_logins() -> list[dict]:
    """The usernames locked out now: everywhere (the per-username limit) or from
    some addresses (the per-address limit), newest first."""
    from axes.models import AccessAttempt

    since = timezone.now() - settings.AXES_COOLOFF_TIME
    recent = AccessAttempt.objects.filter(attempt_time__gte=since)
    per_address = (
        recent.values("username", "ip_address")
        .annotate(n=Sum("failures_since_start"), last=Max("attempt_time"))
        .filter(n__gte=settings.AXES_FAILURE_LIMIT)
    )
    per_username = recent.values("username").annotate(
        n=Sum("failures_since_start"), last=Max("attempt_time")
    )
    locked: dict[str, dict] = {}
    for row in per_username:
        if row["n"] >= username_limit():
            locked[row["username"]] = {
                "username": row["username"],
                "everywhere": True,
                "addresses": [],
                "failures": row["n"],
                "last": row["last"],
            }
    for row in per_address:
        entry = locked.setdefault(
            row["username"],
            {
                "username": row["username"],
                "everywhere": False,
                "addresses": [],
                "failures": 0,
                "last": row["last"],
            },
        )
        entry["addresses"].append(row["ip_address"])
        if not entry["everywhere"]:
            entry["failures"] += row["n"]
        entry["last"] = max(entry["last"], row["last"])
    for entry in locked.values():
        entry["until"] = entry["last"] + settings.AXES_COOLOFF_TIME
        entry["addresses"].sort()
    return sorted(locked.values(), key=lambda e: e["last"], reverse=True)


def lockout_response(request, original_response=None, credentials=None):
    """The locked-out page (429): how long, and that an administrator can unlock."""
    from django.shortcuts import render

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(
        request,
        "accounts/locked_out.html",
        {"minutes": minutes, "username_limit": username_limit()},
        status=429,
    )
