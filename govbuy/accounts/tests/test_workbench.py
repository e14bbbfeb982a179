"""The workbench (工作台) of each role, switching roles, switching language."""

import pytest

from govbuy.core.models import AuditEvent

WORKBENCH = "/workbench/"


@pytest.fixture
def orgs(make_org):
    return {
        "finance": make_org(
            "郑州市财政局（测试）", "410100", is_finance_bureau=True, is_purchaser=True
        ),
        "purchaser": make_org("郑州市民政局（测试）", "410100", is_purchaser=True),
        "provider": make_org("郑州测试养老有限公司", "410100", "enterprise", is_provider=True),
        "evaluator": make_org("郑州测试评价有限公司", "410100", "enterprise", is_evaluator=True),
        "auditor": make_org("郑州市审计局（测试）", "410100", is_audit_office=True),
        "platform_admin": make_org("河南省财政厅（测试）", "410000", is_finance_bureau=True),
        "elsewhere": make_org(
            "洛阳测试社工服务中心",
            "410300",
            "social_organization",
            social_org_form="social_service_agency",
            is_provider=True,
        ),
    }


def templates_of(response):
    return [t.name for t in response.templates]


@pytest.mark.parametrize(
    "role", ["finance", "purchaser", "provider", "evaluator", "auditor", "platform_admin"]
)
def test_each_role_gets_its_own_workbench(client, orgs, make_user, role):
    user = make_user(role, orgs[role])
    client.force_login(user)

    response = client.get(WORKBENCH)

    assert response.status_code == 200
    assert f"workbench/{role}.html" in templates_of(response)
    assert response.context["role"] == role
    assert response.context["org"] == orgs[role]
    assert orgs[role].name in response.content.decode()


def test_recipient_gets_the_recipient_workbench(client, orgs, make_user):
    client.force_login(make_user())

    response = client.get(WORKBENCH)

    assert response.status_code == 200
    assert "workbench/recipient.html" in templates_of(response)
    assert response.context["role"] == "recipient"
    assert response.context["membership"] is None
    assert "org" not in response.context


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(WORKBENCH)

    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={WORKBENCH}"


def test_finance_counts_cover_its_region_only(client, orgs, make_user):
    client.force_login(make_user("finance", orgs["finance"]))

    counts = client.get(WORKBENCH).context["org_counts"]

    # 郑州 (410100): finance, purchaser, provider, evaluator, auditor; not 河南省 or 洛阳.
    assert counts == {"total": 5, "purchasers": 2, "providers": 1, "social": 0}


def test_platform_admin_counts_cover_everything(client, orgs, make_user):
    client.force_login(make_user("platform_admin", orgs["platform_admin"]))

    counts = client.get(WORKBENCH).context["org_counts"]

    assert counts == {"total": 7, "purchasers": 2, "providers": 2, "social": 1}


def test_auditor_sees_the_audit_log_of_its_region_only(client, orgs, make_user):
    auditor = make_user("auditor", orgs["auditor"])
    client.force_login(auditor)

    response = client.get(WORKBENCH)

    events = list(response.context["events"])
    assert events
    names = {e.organization.name for e in events}
    assert "郑州市民政局（测试）" in names
    assert "洛阳测试社工服务中心" not in names
    assert "河南省财政厅（测试）" not in names
    assert response.context["chain"] is None


def test_auditor_sees_the_last_verification_and_the_page_never_verifies(client, orgs, make_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from govbuy.core import audit

    client.force_login(make_user("auditor", orgs["auditor"]))

    # Never verified yet: the page says how verification runs.
    response = client.get(WORKBENCH)
    assert response.context["chain"] is None
    assert "manage.py verify_audit" in response.content.decode()

    audit.verify_incremental()
    # `?verify=1` (the old link) changes nothing: the page reads the stored result only.
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"{WORKBENCH}?verify=1")
    event_reads = [q["sql"] for q in ctx.captured_queries if '"core_auditevent"' in q["sql"]]
    assert event_reads and all("LIMIT 15" in sql for sql in event_reads), event_reads
    chain = response.context["chain"]
    assert chain.ok is True
    assert chain.verified_seq == AuditEvent.objects.order_by("-seq")[0].seq
    html = response.content.decode()
    assert 'class="alert alert-success mt-2 mb-2" role="status"' in html
    assert f"第 {chain.verified_seq} 号事件" in html  # the page speaks Chinese by default
    assert "alert-danger" not in html
    assert 'href="?verify=1"' not in html

    AuditEvent.objects.filter(pk=AuditEvent.objects.order_by("-seq")[0].pk).update(action="x")
    audit.verify_incremental(full=True)
    html = client.get(WORKBENCH).content.decode()
    assert "alert-danger" in html


@pytest.mark.parametrize("role", ["purchaser", "provider", "evaluator"])
def test_non_supervising_roles_get_no_counts_or_audit_log(client, orgs, make_user, role):
    client.force_login(make_user(role, orgs[role]))

    response = client.get(WORKBENCH)

    assert "org_counts" not in response.context
    assert "events" not in response.context


# --- switching the active membership ------------------------------------------------------


@pytest.fixture
def two_hats(orgs, make_user):
    """A user who is both finance staff and purchaser (the bureau buys for itself too)."""
    from govbuy.accounts import services

    user = make_user("finance", orgs["finance"])
    finance = user.memberships.get()
    purchaser = services.add_membership(
        actor="test", user=user, organization=orgs["purchaser"], role="purchaser"
    )
    return user, finance, purchaser


def test_switching_membership_changes_the_workbench(client, two_hats):
    user, finance, purchaser = two_hats
    client.force_login(user)
    assert client.get(WORKBENCH).context["role"] == "finance"

    response = client.post("/accounts/switch/", {"membership": purchaser.pk})

    assert response.status_code == 302
    assert response.url == WORKBENCH
    after = client.get(WORKBENCH)
    assert after.context["role"] == "purchaser"
    assert "workbench/purchaser.html" in templates_of(after)
    assert after.context["org"] == purchaser.organization

    client.post("/accounts/switch/", {"membership": finance.pk})
    assert client.get(WORKBENCH).context["role"] == "finance"


def test_the_header_offers_the_switch_only_with_two_memberships(client, two_hats, orgs, make_user):
    user, _finance, purchaser = two_hats
    client.force_login(user)
    html = client.get(WORKBENCH).content.decode()
    assert 'id="membership-select"' in html
    assert f'value="{purchaser.pk}"' in html

    client.force_login(make_user("provider", orgs["provider"]))
    assert 'id="membership-select"' not in client.get(WORKBENCH).content.decode()


@pytest.mark.parametrize("value", ["other", "", "abc", "99999999"])
def test_switching_to_a_membership_that_is_not_yours_is_ignored(
    client, two_hats, orgs, make_user, value
):
    user, _finance, _purchaser = two_hats
    stranger = make_user("provider", orgs["provider"])
    wanted = stranger.memberships.get().pk if value == "other" else value
    client.force_login(user)

    response = client.post("/accounts/switch/", {"membership": wanted})

    assert response.status_code == 302
    after = client.get(WORKBENCH)
    assert after.context["role"] == "finance"
    assert after.context["org"] == orgs["finance"]


def test_a_deactivated_membership_can_no_longer_be_the_active_one(client, two_hats):
    user, _finance, purchaser = two_hats
    client.force_login(user)
    client.post("/accounts/switch/", {"membership": purchaser.pk})
    assert client.get(WORKBENCH).context["role"] == "purchaser"

    purchaser.is_active = False
    purchaser.save(update_fields=["is_active"])

    assert client.get(WORKBENCH).context["role"] == "finance"


def test_switch_is_post_only(client, two_hats):
    user, _finance, purchaser = two_hats
    client.force_login(user)

    assert client.get(f"/accounts/switch/?membership={purchaser.pk}").status_code == 405
    assert client.get(WORKBENCH).context["role"] == "finance"


# --- language -------------------------------------------------------------------------


def test_default_language_is_simplified_chinese(client, db):
    html = client.get("/").content.decode()

    assert 'lang="zh-Hans"' in html


def test_switching_to_english(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    assert response.status_code == 302
    assert response.url == "/"
    html = client.get("/").content.decode()
    assert 'lang="en"' in html
    assert 'lang="zh-Hans"' not in html


def test_switching_back_to_chinese(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})

    assert 'lang="zh-Hans"' in client.get("/").content.decode()


def test_unknown_language_is_ignored(client, db):
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})

    assert 'lang="zh-Hans"' in client.get("/").content.decode()


def test_language_applies_to_the_workbench(client, orgs, make_user):
    client.force_login(make_user("provider", orgs["provider"]))
    client.post("/i18n/setlang/", {"language": "en", "next": WORKBENCH})

    html = client.get(WORKBENCH).content.decode()

    assert 'lang="en"' in html
