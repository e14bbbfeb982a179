"""The platform administrator's pages (issue 11, item 18): users, memberships,
second factor, lockouts and organizations — through the real stack, audited,
refused (403) to every other role."""

import re

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from govbuy.accounts.models import Membership, User
from govbuy.core.models import AuditEvent
from govbuy.demo.management.commands.load_demo import demo_uscc
from govbuy.orgs.models import Organization

PASSWORD = "correct-horse-battery-9"


@pytest.fixture
def world(make_org, make_user):
    orgs = {
        "platform": make_org("河南省大数据管理局（测试）", "410000"),
        "finance": make_org("郑州市财政局（测试）", "410100", is_finance_bureau=True),
        "purchaser": make_org("郑州市民政局（测试）", "410100", is_purchaser=True),
        "auditor": make_org("郑州市审计局（测试）", "410100", is_audit_office=True),
        "provider": make_org("郑州测试家政有限公司", "410100", "enterprise", is_provider=True),
    }
    users = {
        "admin": make_user("platform_admin", orgs["platform"], username="admin"),
        "finance": make_user("finance", orgs["finance"]),
        "purchaser": make_user("purchaser", orgs["purchaser"]),
        "auditor": make_user("auditor", orgs["auditor"]),
        "provider": make_user("provider", orgs["provider"]),
        "recipient": make_user(),
    }
    return orgs, users


@pytest.fixture
def admin(client, world):
    client.force_login(world[1]["admin"])
    return client


def events(action):
    return AuditEvent.objects.filter(action=action)


# --- only the platform administrator ---------------------------------------------------------

GET_PAGES = [
    "/manage/users/",
    "/manage/users/new/",
    "/manage/users/{user}/",
    "/manage/users/{user}/deactivate/",
    "/manage/users/{user}/reactivate/",
    "/manage/users/{user}/reset-mfa/",
    "/manage/users/{user}/password-link/",
    "/manage/memberships/{membership}/remove/",
    "/manage/lockouts/",
    "/manage/organizations/",
    "/manage/organizations/new/",
    "/manage/organizations/{org}/deactivate/",
    "/manage/organizations/{org}/reactivate/",
]
POSTS = [
    ("/manage/users/new/", {"username": "sneaky"}),
    ("/manage/users/{user}/deactivate/", {}),
    ("/manage/users/{user}/reset-mfa/", {}),
    ("/manage/users/{user}/password-link/", {}),
    ("/manage/users/{user}/memberships/", {"organization": "{org}", "role": "purchaser"}),
    ("/manage/memberships/{membership}/remove/", {}),
    ("/manage/lockouts/unlock/", {"username": "someone"}),
    ("/manage/organizations/{org}/deactivate/", {}),
]


def fill(template, world):
    orgs, users = world
    target = users["purchaser"]
    return template.format(
        user=target.pk, membership=target.memberships.get().pk, org=orgs["purchaser"].pk
    )


@pytest.mark.parametrize("who", ["finance", "purchaser", "auditor", "provider", "recipient"])
def test_other_roles_are_refused_every_page_and_write(client, world, who):
    _orgs, users = world
    client.force_login(users[who])
    before = AuditEvent.objects.count()

    for page in GET_PAGES:
        assert client.get(fill(page, world)).status_code == 403, page
    for url, data in POSTS:
        data = {k: fill(v, world) for k, v in data.items()}
        assert client.post(fill(url, world), data).status_code == 403, url

    assert AuditEvent.objects.count() == before
    assert not User.objects.filter(username="sneaky").exists()
    assert users["purchaser"].memberships.get().is_active
    assert Organization.objects.get(pk=world[0]["purchaser"].pk).is_active


def test_anonymous_goes_to_the_login_page(client, world):
    for page in GET_PAGES:
        response = client.get(fill(page, world))
        assert response.status_code == 302
        assert response.url.startswith("/accounts/login/?next=/manage/")


def test_the_administrator_reaches_every_page(admin, world):
    for page in GET_PAGES:
        assert admin.get(fill(page, world)).status_code == 200, page


@pytest.mark.parametrize("path", ["/manage/users/0/", "/manage/users/99999999999999999999/"])
def test_absent_users_are_404(admin, path):
    assert admin.get(path).status_code == 404


def test_the_workbench_links_the_pages(admin):
    html = admin.get("/workbench/").content.decode()

    for url in ("/manage/users/", "/manage/organizations/", "/manage/lockouts/"):
        assert f'href="{url}"' in html


# --- users: list, search, pagination -----------------------------------------------------------


def test_the_list_searches_username_name_email_and_phone(admin, world, make_user):
    _orgs, users = world
    User.objects.filter(pk=users["provider"].pk).update(
        display_name="Wang Xiaoming", email="wang@example.org", phone="13800000000"
    )

    for q in ("xiaoming", "wang@example", "1380000", users["provider"].username):
        names = [u.username for u in admin.get("/manage/users/", {"q": q}).context["page"]]
        assert names == [users["provider"].username], q


def test_the_list_is_paginated(admin, make_user):
    for n in range(30):
        make_user(username=f"bulk{n:02d}")

    first = admin.get("/manage/users/").context["page"]
    second = admin.get("/manage/users/", {"page": 2}).context["page"]

    assert first.paginator.count == 36
    assert len(first.object_list) == 25
    assert len(second.object_list) == 11


def test_the_user_list_runs_a_fixed_number_of_queries(
    admin, world, make_user, django_assert_max_num_queries
):
    orgs, _users = world
    admin.get("/manage/users/")  # warm-up

    def count():
        with django_assert_max_num_queries(12) as captured:
            response = admin.get("/manage/users/")
        assert response.status_code == 200
        return response, len(captured.captured_queries)

    _few, few = count()
    for n in range(30):
        make_user("purchaser", orgs["purchaser"], username=f"many{n:02d}")
    many_response, many = count()

    assert many_response.context["page"].paginator.count == 36
    assert many == few


# --- users: create with a one-time set-password link ----------------------------------------


def create(admin, **fields):
    data = {"username": "new.staff", "display_name": "Li Ming", "email": "", "phone": ""}
    data.update(fields)
    return admin.post("/manage/users/new/", data)


def link_in(response) -> str:
    return re.search(r'<code id="password-link"[^>]*>([^<]+)</code>', response.content.decode())[1]


def test_create_a_user_with_a_name_with_spaces_and_hand_over_a_link(admin, world):
    response = create(admin)

    assert response.status_code == 200
    user = User.objects.get(username="new.staff")
    assert user.display_name == "Li Ming"
    assert not user.has_usable_password()
    link = link_in(response)
    assert link.startswith("http://testserver/accounts/set-password/")
    assert "no-store" in response["Cache-Control"]
    assert events("accounts.user.create").filter(object_id=str(user.pk)).exists()
    link_event = events("accounts.user.password_link").get(object_id=str(user.pk))
    assert link_event.actor == world[1]["admin"]
    assert link.rsplit("/", 2)[-2] not in str(link_event.data)  # the token is a credential


def test_the_link_sets_a_password_once(admin, world):
    path = link_in(create(admin)).removeprefix("http://testserver")
    newcomer = Client()

    form = newcomer.get(path, follow=True)
    assert form.status_code == 200 and form.context["validlink"]
    set_url = form.redirect_chain[-1][0]
    done = newcomer.post(set_url, {"new_password1": PASSWORD, "new_password2": PASSWORD})

    assert done.status_code == 302
    assert User.objects.get(username="new.staff").check_password(PASSWORD)
    login = newcomer.post("/accounts/login/", {"username": "new.staff", "password": PASSWORD})
    assert login.status_code == 302 and login.url == "/workbench/"
    again = Client().get(path, follow=True)
    assert again.context["validlink"] is False


@pytest.mark.parametrize(
    ("username", "field"),
    [("li ming", "username"), ("", "username"), ("admin", "username")],
    ids=["space", "empty", "taken"],
)
def test_bad_usernames_are_field_errors(admin, username, field):
    before = User.objects.count()

    response = create(admin, username=username)

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert User.objects.count() == before


# --- users: deactivate, reactivate ----------------------------------------------------------


def test_deactivate_asks_first_then_ends_login_and_tokens(admin, world):
    from govbuy.accounts import services

    target = world[1]["provider"]
    _token, key = services.create_api_token(actor=target, name="t")
    session = Client()
    session.force_login(target)
    assert session.get("/workbench/").status_code == 200
    url = f"/manage/users/{target.pk}/deactivate/"

    ask = admin.get(url)
    assert ask.status_code == 200
    assert f'action="{url}"' in ask.content.decode()
    target.refresh_from_db()
    assert target.is_active  # asking changes nothing

    done = admin.post(url)

    assert done.status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    assert events("accounts.user.deactivate").filter(object_id=str(target.pk)).count() == 1
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
    assert session.get("/workbench/").status_code == 302  # the open session ended
    login = Client().post("/accounts/login/", {"username": target.username, "password": PASSWORD})
    assert login.status_code == 200  # refused, the form again

    admin.post(f"/manage/users/{target.pk}/reactivate/")
    target.refresh_from_db()
    assert target.is_active
    assert events("accounts.user.reactivate").count() == 1


def test_the_administrator_cannot_deactivate_itself(admin, world):
    me = world[1]["admin"]

    response = admin.post(f"/manage/users/{me.pk}/deactivate/")

    assert response.status_code == 403
    me.refresh_from_db()
    assert me.is_active


# --- memberships --------------------------------------------------------------------------------


def test_add_a_role_and_remove_it_after_confirmation(admin, world):
    orgs, users = world
    target = users["recipient"]

    added = admin.post(
        f"/manage/users/{target.pk}/memberships/",
        {"organization": orgs["purchaser"].pk, "role": "purchaser", "title": "科员"},
    )

    assert added.status_code == 302
    membership = Membership.objects.get(user=target, organization=orgs["purchaser"])
    assert membership.role == "purchaser" and membership.is_active and membership.title == "科员"
    assert events("accounts.membership.create").filter(object_id=str(membership.pk)).exists()

    url = f"/manage/memberships/{membership.pk}/remove/"
    assert admin.get(url).status_code == 200
    membership.refresh_from_db()
    assert membership.is_active
    assert admin.post(url).status_code == 302
    membership.refresh_from_db()
    assert not membership.is_active
    assert events("accounts.membership.remove").filter(object_id=str(membership.pk)).exists()

    admin.post(
        f"/manage/users/{target.pk}/memberships/",
        {"organization": orgs["purchaser"].pk, "role": "purchaser"},
    )
    membership.refresh_from_db()
    assert membership.is_active  # given back
    assert events("accounts.membership.reactivate").count() == 1


def test_a_role_the_organization_does_not_hold_is_a_field_error(admin, world):
    orgs, users = world

    response = admin.post(
        f"/manage/users/{users['recipient'].pk}/memberships/",
        {"organization": orgs["provider"].pk, "role": "purchaser"},
    )

    assert response.status_code == 200
    assert response.context["membership_form"].errors["role"]
    assert not Membership.objects.filter(user=users["recipient"]).exists()


def test_the_administrator_cannot_remove_its_own_admin_role(admin, world):
    me = world[1]["admin"]
    membership = me.memberships.get()

    response = admin.post(f"/manage/memberships/{membership.pk}/remove/")

    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.is_active


# --- reset MFA ------------------------------------------------------------------------------------


def test_reset_mfa_deletes_the_devices_after_confirmation(admin, world, settings):
    target = world[1]["finance"]
    TOTPDevice.objects.create(user=target, name="authenticator", confirmed=True)
    StaticDevice.objects.create(user=target, name="backup")
    url = f"/manage/users/{target.pk}/reset-mfa/"

    assert admin.get(url).status_code == 200
    assert TOTPDevice.objects.filter(user=target).exists()
    assert admin.post(url).status_code == 302

    assert not TOTPDevice.objects.filter(user=target).exists()
    assert not StaticDevice.objects.filter(user=target).exists()
    event = events("accounts.user.reset_mfa").get(object_id=str(target.pk))
    assert event.data["devices"] == 2
    # The next login sets up a new authenticator.
    settings.GOVBUY_REQUIRE_MFA = True
    staff = Client()
    staff.post("/accounts/login/", {"username": target.username, "password": PASSWORD})
    setup = staff.get("/accounts/mfa/")
    assert setup.context["setup"] is True


# --- lockouts -------------------------------------------------------------------------------------


def lock_out(username):
    client = Client()
    for _ in range(5):
        client.post("/accounts/login/", {"username": username, "password": "wrong"})
    response = client.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert response.status_code == 429
    return client


def test_locked_logins_are_listed_and_unlocked(admin, world):
    target = world[1]["provider"]
    victim_client = lock_out(target.username)

    listing = admin.get("/manage/lockouts/")
    assert [lock["username"] for lock in listing.context["locked"]] == [target.username]
    users_page = admin.get("/manage/users/")
    assert target.username in users_page.context["locked"]

    response = admin.post("/manage/lockouts/unlock/", {"username": target.username})

    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=target.username).exists()
    assert admin.get("/manage/lockouts/").context["locked"] == []
    event = events("accounts.login.unlock").get()
    assert event.object_id == str(target.pk)
    assert event.data["username"] == target.username
    login = victim_client.post(
        "/accounts/login/", {"username": target.username, "password": PASSWORD}
    )
    assert login.status_code == 302


def test_the_documented_command_unlocks_too(world):
    target = world[1]["provider"]
    lock_out(target.username)

    call_command("axes_reset_username", target.username)

    assert not AccessAttempt.objects.filter(username=target.username).exists()


# --- organizations ------------------------------------------------------------------------------


def register(admin, **fields):
    data = {
        "name": "郑州市测试社工服务中心",
        "region": "410100",
        "uscc": demo_uscc("52", "410100", "harden-test"),
        "org_type": "social_organization",
        "social_org_form": "social_service_agency",
        "fiscal_funded": "unknown",
        "is_provider": "on",
    }
    data.update(fields)
    return admin.post("/manage/organizations/new/", data)


def test_register_an_organization(admin):
    response = register(admin)

    org = Organization.objects.get(name="郑州市测试社工服务中心")
    assert response.status_code == 302 and response.url == f"/orgs/{org.pk}/"
    assert org.is_provider and not org.is_purchaser
    assert events("orgs.organization.create").filter(object_id=str(org.pk)).exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"uscc": "91410100MA0000000X"}, "uscc"),
        ({"uscc": "1234"}, "uscc"),
        ({"region": "999999"}, "region"),
        ({"name": ""}, "name"),
    ],
    ids=["check-character", "length", "region", "name"],
)
def test_bad_input_is_a_field_error(admin, fields, field):
    response = register(admin, **fields)

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert not Organization.objects.filter(name="郑州市测试社工服务中心").exists()


def test_a_role_the_category_may_not_take_is_refused_with_the_rule(admin):
    response = register(admin, is_provider="", is_purchaser="on")  # a social org never buys (S1)

    assert response.status_code == 200
    form = response.context["form"]
    rules = {v.rule for vs in form.violations.values() for v in vs} | {
        v.rule for v in form.general_violations
    }
    assert "S1" in rules
    assert not Organization.objects.filter(name="郑州市测试社工服务中心").exists()


def test_the_organization_list_searches_name_and_code(admin, world):
    orgs, _users = world

    by_name = admin.get("/manage/organizations/", {"q": "民政局"}).context["page"]
    by_code = admin.get("/manage/organizations/", {"q": orgs["provider"].uscc[:12]}).context["page"]

    assert [o.pk for o in by_name] == [orgs["purchaser"].pk]
    assert [o.pk for o in by_code] == [orgs["provider"].pk]


def test_deactivate_an_organization_after_confirmation(admin, world, client):
    orgs, users = world
    url = f"/manage/organizations/{orgs['purchaser'].pk}/deactivate/"

    assert admin.get(url).status_code == 200
    assert Organization.objects.get(pk=orgs["purchaser"].pk).is_active
    assert admin.post(url).status_code == 302

    assert not Organization.objects.get(pk=orgs["purchaser"].pk).is_active
    assert events("orgs.organization.deactivate").count() == 1
    member = User.objects.get(pk=users["purchaser"].pk)
    assert member.active_memberships == []  # no longer acts for it

    admin.post(f"/manage/organizations/{orgs['purchaser'].pk}/reactivate/")
    assert Organization.objects.get(pk=orgs["purchaser"].pk).is_active
    assert events("orgs.organization.reactivate").count() == 1
