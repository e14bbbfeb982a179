"""The split of procurement into procurement, tendering and challenges changed
no URL, no API path and no stored row.

The fixtures in ``data/`` were taken on the code of ``main`` before the split:

- ``urls_before_split.json``: every URL pattern of the project (route, name,
  view, a sample path), every OpenAPI path + method of /api/v1 and its
  operationId;
- ``demo_before_split.sql.gz``: the SQL dump of a SQLite database migrated and
  loaded with ``load_demo`` on that code.

The migration test runs ``manage.py migrate`` on a copy of that database in a
subprocess (SQLite only: the dump is a SQLite dump; on a PostgreSQL run it
still runs, against its own SQLite file), and checks that the schema and every
row of every table are unchanged and that the demo's pages still answer."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import resolve

DATA = Path(__file__).parent / "data"
BEFORE = json.loads((DATA / "urls_before_split.json").read_text(encoding="utf-8"))
ROOT = Path(__file__).resolve().parents[3]

# Where each old procurement view lives now (by the old view's function name).
CHALLENGE_VIEWS = {
    "question_file",
    "question_detail",
    "question_answer",
    "complaint_file",
    "complaint_list",
    "complaint_detail",
    "complaint_review",
    "complaint_suspend",
    "complaint_decide",
}


# The workbenches and inboxes compose every app from the project-level package
# govbuy.workbench (issue 12, A2), under their old names and paths.
WORKBENCH_VIEWS = {
    "govbuy.accounts.views.workbench",
    "govbuy.procurement.views.inbox",
    "govbuy.procurement.views.inbox_below",
}


def expected_app(old_view: str) -> str:
    """The app an old view belongs to after the split."""
    if old_view in WORKBENCH_VIEWS:
        return "workbench"
    module, _, name = old_view.rpartition(".")
    if not module.startswith("govbuy.procurement."):
        return module.split(".")[1]
    if module in ("govbuy.procurement.views", "govbuy.procurement.api"):
        return "procurement"
    if name in CHALLENGE_VIEWS:
        return "challenges"
    return "tendering"


def bare(name: str) -> str:
    return name.rpartition(":")[2]


@pytest.mark.parametrize("row", BEFORE["urls"], ids=lambda r: r["sample"])
def test_every_old_url_still_resolves(row):
    match = resolve(row["sample"])
    assert match.route == row["route"]
    if row["route"].startswith("api/"):
        return  # one pattern per path and several operations: the OpenAPI test checks those
    assert bare(match.view_name or "") == bare(row["name"])
    app = match.func.__module__.split(".")[1]
    assert app == expected_app(row["view"]), (row, match.func.__module__)


def test_openapi_keeps_every_path_and_method(client):
    doc = client.get("/api/v1/openapi.json").json()
    now = {f"{m.upper()} {p}" for p, ops in doc["paths"].items() for m in ops}
    assert set(BEFORE["openapi"]) - now == set()
    # Same operationIds too: clients generated from the document keep their names.
    ids = {
        f"{m.upper()} {p}": op.get("operationId")
        for p, ops in doc["paths"].items()
        for m, op in ops.items()
    }
    assert {k: ids.get(k) for k in BEFORE["operation_ids"]} == BEFORE["operation_ids"]


# --- an existing database migrates in place ----------------------------------------------------

SKIP_TABLES = {"django_migrations", "sqlite_sequence"}
# Added after the split (issue 12, C9-C11: tendering 0002): the notice list's
# columns, filled from the notice's project, and their indexes. Everything else of
# the table is as before.
ADDED_AFTER_SPLIT = {
    "procurement_notice": {"region_path", "search_text"},
}
ADDED_INDEXES = {"notice_published_desc", "notice_region_published", "notice_kind_published"}
# The indexes of the lists and workbench counts (issue 12, C9/C12: budgets 0002,
# procurement 0007, tendering 0002): new indexes only, no column or row changes.
ADDED_INDEXES |= {
    "bid_provider_submitted_idx",
    "deadline_late_idx",
    "deadline_open_kind_due_idx",
    "line_region_year_idx",
    "line_status_dept_idx",
    "line_status_region_idx",
    "notice_late_idx",
    "project_created_idx",
    "project_dept_created_idx",
    "project_method_pending_idx",
    "project_status_dept_idx",
    "project_status_region_idx",
    "tender_emergency_idx",
    "tender_published_idx",
    "tender_suspended_idx",
}
# New tables after the split (issue 12, C13: core 0003, the audit chain's checkpoint).
ADDED_TABLES = {"core_auditcheckpoint"}


def snapshot(path: Path) -> dict:
    """Schema (DDL of every table and index) and, per table, row count and a
    checksum of every row in primary-key order."""
    con = sqlite3.connect(path)
    try:
        schema = dict(
            con.execute(
                "SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'index') "
                "AND name NOT LIKE 'sqlite_%' AND tbl_name NOT IN ('django_migrations')"
            ).fetchall()
        )
        tables = [
            n
            for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if n not in SKIP_TABLES
        ]
        rows = {}
        columns = {
            table: [c[1] for c in con.execute(f'PRAGMA table_info("{table}")')] for table in tables
        }
        for table in tables:
            digest = hashlib.sha256()
            count = 0
            kept = [c for c in columns[table] if c not in ADDED_AFTER_SPLIT.get(table, ())]
            listed = ", ".join(f'"{c}"' for c in kept)
            for row in con.execute(f'SELECT {listed} FROM "{table}" ORDER BY 1'):
                digest.update(repr(row).encode())
                count += 1
            rows[table] = (count, digest.hexdigest())
        return {"schema": schema, "rows": rows, "columns": columns}
    finally:
        con.close()


def environment(db: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GOVBUY_")}
    env.update(GOVBUY_DEBUG="true", GOVBUY_DATABASE_URL=f"sqlite:///{db}")
    env.pop("DJANGO_SETTINGS_MODULE", None)
    return env


DEMO_CHECK = r"""
import json
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client

def model(name):
    for label in ("tendering", "challenges", "procurement"):
        try:
            return apps.get_model(label, name)
        except LookupError:
            pass

out = {"labels": {}, "counts": {}, "pages": {}}
for name in ("Tender", "Bid", "Notice", "Deadline", "PanelMember", "Score", "Question",
             "Complaint", "PurchaseProject"):
    m = model(name)
    out["labels"][name] = m._meta.label
    out["counts"][name] = m.objects.count()
# The demo's round, its bids and the complaint through the ORM's relations.
Tender, Complaint = model("Tender"), model("Complaint")
out["awarded"] = [t.project.name for t in Tender.objects.filter(status="awarded")]
out["complaint_round"] = [c.question.tender_id for c in Complaint.objects.all()]
U = get_user_model()
for user, paths in {
    None: ["/procurement/notices/", "/procurement/notices/2/", "/procurement/rounds/2/public/",
           "/procurement/methods/"],
    "purchaser": ["/procurement/", "/procurement/1/", "/procurement/rounds/",
                  "/procurement/rounds/1/", "/procurement/rounds/2/", "/procurement/questions/1/",
                  "/procurement/complaints/1/", "/procurement/rounds/1/evaluation/",
                  "/api/v1/rounds", "/api/v1/rounds/1", "/api/v1/complaints", "/api/v1/notices"],
    "finance_zz": ["/procurement/complaints/", "/procurement/complaints/1/",
                   "/procurement/split-flags/"],
    "provider": ["/procurement/opportunities/", "/procurement/my-bids/"],
}.items():
    c = Client()
    if user:
        c.force_login(U.objects.get(username=user))
    for p in paths:
        out["pages"][f"{user} {p}"] = c.get(p).status_code
print("DEMO-CHECK " + json.dumps(out))
"""


def test_demo_database_of_main_migrates_in_place(tmp_path):
    db = tmp_path / "demo.sqlite3"
    con = sqlite3.connect(db)
    con.executescript(gzip.decompress((DATA / "demo_before_split.sql.gz").read_bytes()).decode())
    con.close()
    before = snapshot(db)
    env = environment(db)
    manage = [sys.executable, str(ROOT / "manage.py")]
    done = subprocess.run(
        [*manage, "migrate", "--no-input", "-v", "1"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    after = snapshot(db)
    # The split ran no DDL on any table or index, and no row changed, was added or
    # removed (django_content_type: the moved models' rows are relabelled, same ids);
    # only what issue 12 added after it (ADDED_*) is new.
    added = {name for name in after["schema"].keys() - before["schema"].keys()}
    assert added == ADDED_INDEXES | ADDED_TABLES
    for table, new_columns in ADDED_AFTER_SPLIT.items():
        assert after["columns"][table] == before["columns"][table] + sorted(new_columns)
    assert {
        name: sql
        for name, sql in after["schema"].items()
        if name not in ADDED_AFTER_SPLIT and name not in ADDED_INDEXES | ADDED_TABLES
    } == {name: sql for name, sql in before["schema"].items() if name not in ADDED_AFTER_SPLIT}
    changed = {
        t
        for t in before["rows"].keys() | after["rows"].keys()
        if before["rows"].get(t) != after["rows"].get(t)
    }
    # auth_permission: the new AuditCheckpoint model's permissions.
    assert changed <= {"django_content_type", "auth_permission"} | ADDED_TABLES, changed
    con = sqlite3.connect(db)
    # The notice list's columns were filled for the existing notices (one UPDATE).
    assert con.execute(
        "SELECT COUNT(*) FROM procurement_notice WHERE region_path = '' OR search_text = ''"
    ).fetchone() == (0,)
    assert con.execute(
        "SELECT COUNT(*) FROM procurement_notice WHERE search_text LIKE '%' || lower(number) || '%'"
    ).fetchone() == (before["rows"]["procurement_notice"][0],)
    cts = con.execute("SELECT COUNT(*) FROM django_content_type").fetchone()[0]
    labels = dict(
        con.execute(
            "SELECT model, app_label FROM django_content_type "
            "WHERE model IN ('tender', 'bid', 'notice', 'question', 'complaint', 'purchaseproject')"
        ).fetchall()
    )
    con.close()
    # One more content type per model added after the split (AuditCheckpoint).
    assert cts == before["rows"]["django_content_type"][0] + len(ADDED_TABLES)
    assert labels == {
        "tender": "tendering",
        "bid": "tendering",
        "notice": "tendering",
        "question": "challenges",
        "complaint": "challenges",
        "purchaseproject": "procurement",
    }

    check = subprocess.run(
        [*manage, "shell", "-c", DEMO_CHECK],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    line = next(x for x in check.stdout.splitlines() if x.startswith("DEMO-CHECK "))
    out = json.loads(line.removeprefix("DEMO-CHECK "))
    assert out["counts"] == {
        "Tender": 2,
        "Bid": 7,
        "Notice": 5,
        "Deadline": 20,
        "PanelMember": 5,
        "Score": 30,
        "Question": 1,
        "Complaint": 1,
        "PurchaseProject": 7,
    }
    assert out["labels"] == {
        "Tender": "tendering.Tender",
        "Bid": "tendering.Bid",
        "Notice": "tendering.Notice",
        "Deadline": "tendering.Deadline",
        "PanelMember": "tendering.PanelMember",
        "Score": "tendering.Score",
        "Question": "challenges.Question",
        "Complaint": "challenges.Complaint",
        "PurchaseProject": "procurement.PurchaseProject",
    }
    assert len(out["awarded"]) == 1 and out["complaint_round"]
    assert {p: s for p, s in out["pages"].items() if s != 200} == {}
