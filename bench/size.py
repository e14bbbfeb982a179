"""The benchmark at size: the public notice list and the workbenches over
generated purchases, served by gunicorn (2 workers, production settings) and
measured with concurrent HTTP clients against a bare Django JSON view served by
the same gunicorn in the same run.

    .venv/bin/python -m bench size --purchases 200000              # GOVBUY_DATABASE_URL
    .venv/bin/python -m bench size --only bare --conn-max-age 0     # one page, one setting
    .venv/bin/python -m bench explain                               # EXPLAIN the slow queries

The data is generated once (bench/generate.py) and reused while the parameters
are the same. Results are printed and appended to bench/RESULTS.md (--no-write
to skip). Each page's figures are also given as a ratio of the bare view's
requests per second. Target: p99 under 100 ms and at least 1/3 of the bare view.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import platform
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
GUNICORN = str(ROOT / ".venv" / "bin" / "gunicorn")
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
# Only used by the bench's own gunicorn and sessions (never a deployment's key).
BENCH_SECRET = "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH"

# (name, path, who): the pages measured; `who` is None (anonymous) or a demo username.
PAGES = [
    ("bare view (SELECT 1, JSON)", "/__bench__/bare/", None),
    ("notices, page 1", "/procurement/notices/", None),
    ("notices, page 5000", "/procurement/notices/?page=5000", None),
    ("notices, region 410100", "/procurement/notices/?region=410100", None),
    ("notices, q=养老", "/procurement/notices/?q=" + urllib.parse.quote("养老"), None),
    ("finance workbench (finance_zz)", "/workbench/", "finance_zz"),
    ("purchaser workbench (purchaser)", "/workbench/", "purchaser"),
]
SHORT = {
    "bare": 0,
    "list": 1,
    "deep": 2,
    "region": 3,
    "search": 4,
    "finance": 5,
    "purchaser": 6,
}


LIST_PAGE_SIZE = 25  # the public notice list's page size today


def deep_cursor_path(depth: int = 5000) -> str:
    """The notice list `depth` pages deep by cursor (`--deep cursor`, once the
    list pages with govbuy.core.pagination): the cursor after the last row of
    the page before, in the list's order (published_at DESC, id DESC)."""
    from bench.generate import model
    from govbuy.core.pagination import NEXT, encode_cursor

    row = (
        model("Notice")
        .objects.order_by("-published_at", "-pk")
        .values_list("published_at", "pk")[(depth - 1) * LIST_PAGE_SIZE - 1]
    )
    return "/procurement/notices/?cursor=" + urllib.parse.quote(encode_cursor(NEXT, list(row)))


def production_env(db_url: str, conn_max_age: int | None = None) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "GOVBUY_DATABASE_URL": db_url,
            "GOVBUY_DEBUG": "false",
            "GOVBUY_SECRET_KEY": BENCH_SECRET,
            "GOVBUY_ALLOWED_HOSTS": "127.0.0.1,localhost",
            # Plain HTTP on the loopback: no redirect to HTTPS (cookies stay Secure).
            "GOVBUY_SSL_REDIRECT": "false",
            "GOVBUY_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.pop("GOVBUY_TESTING", None)
    if conn_max_age is not None:
        env["GOVBUY_CONN_MAX_AGE"] = str(conn_max_age)
    return env


def prepare(db_url: str, purchases: int, seed: int) -> None:
    """Migrate, load the demo and generate, unless the same data is there already."""
    env = dict(os.environ, GOVBUY_DATABASE_URL=db_url, GOVBUY_DEBUG="true", PYTHONPATH=str(ROOT))
    env["DJANGO_SETTINGS_MODULE"] = "govbuy.settings"
    subprocess.run(
        [PYTHON, "-m", "bench", "generate", "--purchases", str(purchases), "--seed", str(seed)],
        cwd=ROOT,
        env=env,
        check=True,
    )


def collectstatic(env: dict) -> None:
    if not (ROOT / "var" / "static" / "staticfiles.json").exists():
        subprocess.run(
            [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )


def sessions(usernames) -> dict:
    """A logged-in, two-step-verified session per user (as after login and TOTP)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from bench.generate import model

    cookies = {}
    for username in usernames:
        user = model("User").objects.get(username=username)
        device = TOTPDevice.objects.filter(user=user, name="bench").first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="bench", confirmed=True)
        store = SessionStore()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store[DEVICE_ID_SESSION_KEY] = device.persistent_id
        store.create()
        cookies[username] = f"{settings.SESSION_COOKIE_NAME}={store.session_key}"
    return cookies


class Server:
    def __init__(self, env: dict, port: int, workers: int = 2):
        self.port = port
        self.proc = subprocess.Popen(
            [
                GUNICORN,
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "300",
                "--log-level",
                "warning",
                "bench.wsgi:application",
            ],
            cwd=ROOT,
            env=env,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if get(port, "/__bench__/bare/")[0] == 200:
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("gunicorn did not answer within 60 s")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def get(port: int, path: str, cookie: str | None = None) -> tuple[int, int]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    headers = {"Host": "127.0.0.1", "Accept-Language": "zh-hans"}
    if cookie:
        headers["Cookie"] = cookie
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        return response.status, len(body)
    finally:
        conn.close()


def percentile(samples: list[float], p: float) -> float:
    ordered = sorted(samples)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def load(port: int, path: str, cookie: str | None, seconds: float, clients: int) -> dict:
    """`clients` threads request the page back to back for `seconds`; every
    request started before the end is waited for and counted."""
    status, size = get(port, path, cookie)  # warm-up (and the answer's status)
    latencies, statuses = [], {}
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client():
        while time.perf_counter() < stop_at:
            t0 = time.perf_counter()
            try:
                code, _ = get(port, path, cookie)
            except OSError as exc:
                code = type(exc).__name__
            took = time.perf_counter() - t0
            with lock:
                latencies.append(took)
                statuses[code] = statuses.get(code, 0) + 1

    t0 = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": percentile(latencies, 50) * 1000,
        "p99": percentile(latencies, 99) * 1000,
        "statuses": statuses,
        "first_status": status,
        "bytes": size,
    }


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    load1 = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{platform.node()}: {os.cpu_count()} CPUs ({cpu}){mem}, {platform.system()} "
        f"{platform.release()}, Python {platform.python_version()}; load average at start "
        f"{load1:.1f}"
    )


def commit() -> str:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
        return out.stdout.strip() + (" (with uncommitted changes)" if dirty else "")
    except OSError:
        return "?"


def database_facts() -> str:
    from django.db import connection

    from bench.generate import model, stored_parameters

    params = stored_parameters() or {}
    facts = [f"{connection.vendor} {connection.Database.__name__}"]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            facts = [f"PostgreSQL {cursor.fetchone()[0]}"]
            cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
            facts.append(f"database {connection.settings_dict['NAME']} {cursor.fetchone()[0]}")
            cursor.execute("SHOW jit")
            facts.append(f"jit={cursor.fetchone()[0]}")
            cursor.execute("SHOW work_mem")
            facts.append(f"work_mem={cursor.fetchone()[0]}")
    counts = {
        name: model(name).objects.count() for name in ("PurchaseProject", "Notice", "AuditEvent")
    }
    facts.append(
        f"{counts['PurchaseProject']:,} purchases, {counts['Notice']:,} notices, "
        f"{counts['AuditEvent']:,} audit events (seed {params.get('seed')}, generated in "
        f"{params.get('_seconds', 0):.0f} s)"
    )
    return "; ".join(facts)


def run(args) -> int:
    db_url = args.db or os.environ.get("GOVBUY_DATABASE_URL")
    if not db_url:
        print("size: set GOVBUY_DATABASE_URL (PostgreSQL) or pass --db", file=sys.stderr)
        return 2
    if not args.no_generate:
        prepare(db_url, args.purchases, args.seed)
    env = production_env(db_url, args.conn_max_age)
    os.environ.update({k: env[k] for k in env if k.startswith(("GOVBUY_", "DJANGO_"))})
    import django

    django.setup()
    collectstatic(env)
    pages = [PAGES[SHORT[s]] for s in args.only] if args.only else PAGES
    if args.deep == "cursor":
        deep = PAGES[SHORT["deep"]]
        pages = [
            ("notices, 5000 deep by cursor", deep_cursor_path(), None) if p == deep else p
            for p in pages
        ]
    if PAGES[0] not in pages:
        pages = [PAGES[0], *pages]
    cookies = sessions({who for _, _, who in pages if who})
    facts = database_facts()
    started = dt.datetime.now(dt.UTC)
    where = machine()
    from django.db import connections

    connections.close_all()
    server = Server(env, args.port)
    rows = []
    try:
        for name, path, who in pages:
            result = load(args.port, path, cookies.get(who), args.seconds, args.clients)
            rows.append((name, path, result))
            print(
                f"{name:34} {result['rps']:9.1f} req/s  p50 {result['p50']:9.1f} ms  "
                f"p99 {result['p99']:9.1f} ms  n={result['requests']} {result['statuses']}",
                flush=True,
            )
    finally:
        server.stop()
    bare = rows[0][2]["rps"]
    conn_age = env.get("GOVBUY_CONN_MAX_AGE", "default (60)")
    lines = [
        f"\n## {args.label or 'Run'} — {started:%Y-%m-%d %H:%M} UTC, commit {commit()}\n",
        f"- machine: {where}",
        f"- data: {facts}",
        f"- gunicorn 2 sync workers, production settings (GOVBUY_DEBUG off, secret key, "
        f"allowed hosts, MFA on with verified sessions), CONN_MAX_AGE={conn_age}; "
        f"{args.clients} concurrent clients for {args.seconds:g} s per page, a new "
        "connection per request\n",
        "| page | path | req/s | p50 ms | p99 ms | req/s ÷ bare | requests | answers |",
        "|---|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, path, r in rows:
        answers = ", ".join(f"{k}×{v}" for k, v in sorted(r["statuses"].items(), key=str))
        lines.append(
            f"| {name} | `{urllib.parse.unquote(path)}` | {r['rps']:.1f} | {r['p50']:.1f} | "
            f"{r['p99']:.1f} | {r['rps'] / bare:.4f} | {r['requests']} | {answers} |"
        )
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_write:
        if not RESULTS.exists():
            RESULTS.write_text("# Benchmark results at size\n", encoding="utf-8")
        with RESULTS.open("a", encoding="utf-8") as out:
            out.write(text)
    return 0


# --- EXPLAIN of the slow queries of each page --------------------------------------------


def explain(args) -> int:
    db_url = args.db or os.environ.get("GOVBUY_DATABASE_URL")
    env = production_env(db_url)
    os.environ.update({k: env[k] for k in env if k.startswith(("GOVBUY_", "DJANGO_"))})
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    pages = PAGES[1:]
    cookies = sessions({who for _, _, who in pages if who})
    out = [f"\n## EXPLAIN (ANALYZE, BUFFERS) — {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC\n"]
    out.append(
        f"The queries of each page over {args.min_ms:g} ms (at most {args.top} per page), "
        "captured with CaptureQueriesContext while the page is served in-process.\n"
    )
    for name, path, who in pages:
        client = Client(HTTP_HOST="127.0.0.1")
        if who:
            client.cookies[settings.SESSION_COOKIE_NAME] = cookies[who].split("=", 1)[1]
        t0 = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(path)
        took = (time.perf_counter() - t0) * 1000
        queries = ctx.captured_queries
        total = sum(float(q["time"]) for q in queries) * 1000
        out.append(
            f"### {name} — `{urllib.parse.unquote(path)}`: {response.status_code}, "
            f"{took:.0f} ms, {len(queries)} queries taking {total:.0f} ms\n"
        )
        slow = sorted(queries, key=lambda q: -float(q["time"]))
        slow = [q for q in slow if float(q["time"]) * 1000 >= args.min_ms][: args.top]
        for q in slow:
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + q["sql"])
                plan = "\n".join(r[0] for r in cursor.fetchall())
            out.append(f"{float(q['time']) * 1000:.0f} ms:\n\n```sql\n{q['sql']}\n```\n")
            out.append(f"```\n{plan}\n```\n")
        print(out[-1] if slow else f"{name}: no query over {args.min_ms} ms", flush=True)
    text = "\n".join(out)
    if not args.no_write:
        with RESULTS.open("a", encoding="utf-8") as f:
            f.write(text)
    else:
        print(text)
    return 0


def add_arguments(parser) -> None:
    parser.add_argument("--db", default=None, help="database URL (default: GOVBUY_DATABASE_URL)")
    parser.add_argument("--purchases", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--port", type=int, default=8141)
    parser.add_argument("--seconds", type=float, default=10.0, help="per page")
    parser.add_argument("--clients", type=int, default=4, help="concurrent HTTP clients")
    parser.add_argument("--conn-max-age", type=int, default=None, help="override CONN_MAX_AGE")
    parser.add_argument(
        "--only", nargs="+", choices=sorted(SHORT), help="measure these pages (and the bare view)"
    )
    parser.add_argument(
        "--deep",
        choices=["page", "cursor"],
        default="page",
        help="reach the deep page by ?page=5000 (today) or by a cursor (once the list has them)",
    )
    parser.add_argument("--label", default="", help="heading of the results section")
    parser.add_argument("--no-generate", action="store_true", help="use the database as it is")
    parser.add_argument("--no-write", action="store_true", help="do not append to RESULTS.md")
    parser.add_argument("--min-ms", type=float, default=20.0, help="explain: slowest queries")
    parser.add_argument("--top", type=int, default=2, help="explain: queries per page")


def generate_command(args) -> int:
    """Migrate, load the demo, generate (in the current process, development settings)."""
    import django

    django.setup()
    from django.core.management import call_command

    from bench import generate

    call_command("migrate", verbosity=0)
    stored = generate.stored_parameters()
    wanted = generate.parameters(args.purchases, args.seed, dt.date.today())
    if generate.same(stored, wanted):
        print(
            f"reusing the generated data ({stored['purchases']} purchases, seed {stored['seed']}, "
            f"anchor {stored['anchor']})"
        )
        return 0
    if stored is not None:
        print(
            f"this database holds other generated data ({json.dumps(stored)}): "
            "use a fresh database",
            file=sys.stderr,
        )
        return 2
    if generate.model("Organization").objects.exists():
        print(
            "refusing to generate into a database that already holds organizations "
            "(it is not a fresh one): create an empty database for the bench",
            file=sys.stderr,
        )
        return 2
    call_command("load_demo", verbosity=0)
    generate.generate(args.purchases, seed=args.seed)
    return 0
