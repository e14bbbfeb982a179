"""Chinese is complete and compiled; the language follows the cookie, the
language switch and Accept-Language, for pages and for API errors alike."""

import gettext

import polib
import pytest

from govbuy.core import i18n

CALENDAR_2027 = "/api/v1/calendar/add?start=2027-03-01&working_days=1"


# --- the catalogs -----------------------------------------------------------------


def test_catalogs_are_complete_and_compiled():
    """What `python -m govbuy.core.i18n check` (and CI) checks."""
    assert i18n.catalogs(), "no django.po under govbuy/locale"
    assert i18n.check_catalogs() == []


def test_zh_hans_catalog_has_one_plural_form():
    po = polib.pofile(str(i18n.LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    assert po.metadata["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"
    assert not po.metadata_is_fuzzy


def _write_po(locale_dir, entries, locale="zh_Hans"):
    folder = locale_dir / locale / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = polib.POFile()
    po.metadata = {
        "Content-Type": "text/plain; charset=UTF-8",
        "Language": locale,
        "Plural-Forms": "nplurals=1; plural=0;",
    }
    for entry in entries:
        po.append(entry)
    path = folder / "django.po"
    po.save(str(path))
    return path


def test_compile_needs_no_gettext_tools_and_check_sees_stale_mo(tmp_path):
    po_path = _write_po(
        tmp_path,
        [
            polib.POEntry(msgid="Log in", msgstr="登录"),
            polib.POEntry(
                msgid="%(n)s rule",
                msgid_plural="%(n)s rules",
                msgstr_plural={0: "%(n)s 条规则"},
                flags=["python-format"],
            ),
        ],
    )
    assert i18n.check_catalogs(tmp_path) == [
        f"{po_path}: the .mo is missing or out of date; run `python -m govbuy.core.i18n compile`"
    ]

    written, errors = i18n.compile_catalogs(tmp_path)
    assert (written, errors) == ([po_path.with_suffix(".mo")], [])
    with po_path.with_suffix(".mo").open("rb") as f:
        catalog = gettext.GNUTranslations(f)
    # (Not catalog.gettext(...) literally: makemessages would extract these msgids.)
    singular, plural = catalog.gettext, catalog.ngettext
    assert singular("Log in") == "登录"
    assert plural("%(n)s rule", "%(n)s rules", 5) == "%(n)s 条规则"
    assert i18n.check_catalogs(tmp_path) == []
    # Compiling again leaves an up-to-date .mo alone (no churn in git).
    assert i18n.compile_catalogs(tmp_path) == ([], [])

    po = polib.pofile(str(po_path))
    po.find("Log in").msgstr = "登录系统"
    po.save()
    assert len(i18n.check_catalogs(tmp_path)) == 1


def test_check_lists_untranslated_fuzzy_and_bad_placeholders(tmp_path):
    _write_po(
        tmp_path,
        [
            polib.POEntry(msgid="Workbench", msgstr=""),
            polib.POEntry(msgid="Warning", msgstr="警告", flags=["fuzzy"]),
            polib.POEntry(
                msgid="%(name)s must be a date",
                msgstr="%(名称)s 必须是日期",
                flags=["python-format"],
            ),
        ],
    )
    problems = i18n.check_catalogs(tmp_path)
    assert any("untranslated: 'Workbench'" in p for p in problems)
    assert any("fuzzy: 'Warning'" in p for p in problems)
    assert any("placeholders" in p and "must be a date" in p for p in problems)
    written, errors = i18n.compile_catalogs(tmp_path)
    assert written == [] and len(errors) == 1  # like msgfmt --check-format: not compiled


def test_apply_fills_translations_from_json_and_names_unknown_msgids(tmp_path):
    po_path = _write_po(
        tmp_path / "locale",
        [
            polib.POEntry(msgid="Workbench", msgstr=""),
            polib.POEntry(msgid="Warning", msgstr="警告", flags=["fuzzy"]),
            polib.POEntry(msgid="%(n)s bid", msgid_plural="%(n)s bids", msgstr_plural={0: ""}),
        ],
    )
    (tmp_path / "new.json").write_text(
        '{"Workbench": "工作台", "Warning": "警告", "%(n)s bid": ["%(n)s 份投标"], '
        '"Not extracted": "未提取"}',
        encoding="utf-8",
    )
    changed, missing = i18n.apply_translations(
        [tmp_path / "new.json"], locale_dir=tmp_path / "locale"
    )
    assert changed == 3 and len(missing) == 1 and "Not extracted" in missing[0]
    po = polib.pofile(str(po_path))
    assert po.find("Workbench").msgstr == "工作台"
    assert not po.find("Warning").fuzzy
    assert po.find("%(n)s bid").msgstr_plural == {0: "%(n)s 份投标"}


def test_check_requires_the_zh_hans_catalog(tmp_path):
    assert i18n.check_catalogs(tmp_path) == [f"zh_Hans: no django.po under {tmp_path}"]


def test_unknown_command_is_a_usage_error(capsys):
    assert i18n.main(["nonsense"]) == 2
    assert "usage" in capsys.readouterr().err


# --- pages ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_home_is_chinese_by_default(client):
    html = client.get("/").content.decode()
    assert 'lang="zh-Hans"' in html
    assert "政府购买服务平台" in html
    assert "登录" in html
    assert "govbuy — Government Purchase of Services" not in html


@pytest.mark.django_db
def test_language_cookie_gives_english(client, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get("/").content.decode()
    assert 'lang="en"' in html
    assert "govbuy — Government Purchase of Services" in html
    assert "政府购买服务平台" not in html


@pytest.mark.django_db
def test_language_switch_sets_the_cookie_and_back(client, settings):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "govbuy — Government Purchase of Services" in client.get("/").content.decode()

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "政府购买服务平台" in client.get("/").content.decode()


@pytest.mark.django_db
def test_pages_stay_chinese_whatever_the_browser_language(client):
    """A workstation set to English still opens the Chinese platform; only the
    language switch (cookie) changes pages. The API follows Accept-Language."""
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "政府购买服务平台" in html and 'lang="zh-Hans"' in html
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    assert "政府购买服务平台" in html


@pytest.mark.django_db
def test_login_page_labels_are_translated(client):
    html = client.get("/accounts/login/").content.decode()
    assert "用户名" in html and "密码" in html


# --- API errors -------------------------------------------------------------------------


@pytest.mark.django_db
def test_calendar_error_in_chinese(client):
    response = client.get(CALENDAR_2027, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "calendar_not_covered"
    message = body["errors"][0]["message"]
    assert "2027" in message
    assert "节假日安排尚未录入" in message
    assert "财政部门管理员" in message and "国务院办公厅" in message


@pytest.mark.django_db
def test_calendar_error_in_english(client, settings):
    response = client.get(CALENDAR_2027, HTTP_ACCEPT_LANGUAGE="en")
    message = response.json()["errors"][0]["message"]
    assert message.startswith("No holiday calendar for 2027")
    assert "State Council" in message

    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    message = client.get(CALENDAR_2027).json()["errors"][0]["message"]
    assert "No holiday calendar for 2027" in message


@pytest.mark.django_db
def test_calendar_error_chinese_without_preference(client):
    message = client.get(CALENDAR_2027).json()["errors"][0]["message"]
    assert "2027年的法定节假日安排尚未录入" in message


@pytest.mark.django_db
def test_missing_parameter_message_follows_language(client):
    response = client.get("/api/v1/calendar/add?working_days=1", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == "此项为必填项"
    response = client.get("/api/v1/calendar/add?working_days=1", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json()["errors"][0]["message"] == "this field is required"
