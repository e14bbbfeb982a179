"""A guard over the demo's pages (issue 11, item 17): every page a demo user
reaches from the workbench, in Chinese and in English, shows money with
thousands separators, never an internal parameter key, and no text of the
other language's catalog (a rule message or deadline stored in Chinese on an
English page, or the other way round)."""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from govbuy.core.i18n import catalogs
from govbuy.core.models import ParameterDefinition

USERS = ("anonymous", "finance_zz", "purchaser", "provider", "auditor", "expert")
# Pages whose job is to show the keys (the parameter reference and its form).
KEY_PAGES = ("/parameters/",)
SKIP = re.compile(
    r"logout|/api/|\.xlsx|\.csv|export|download|/static/|setlang|delete|withdraw|remove|"
    r"/attachments/|/opening/|/cancel/|/terminate/"
)
MONEY = re.compile(r"(?<![\d,.])\d{4,}\.\d{2}(?!\d)")
# "e.g. 500000.00", "(1000000.00)": how to type an amount, not an amount shown.
EXAMPLE = re.compile(r"(e\.g\.|例如|如|[(（])\s*$")
CJK = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"%\([^)]*\)[sd]|%[sd]|\{\{[^}]*\}\}")
VOID = {"br", "hr", "img", "input", "meta", "link", "source", "wbr", "col", "area", "base"}


class _Page(HTMLParser):
    """The links and the text of a page, and apart the text that rule messages and
    computed deadlines make (``.violation``, ``.gb-rule-text``)."""

    def __init__(self):
        super().__init__()
        self.links, self.text, self.rule_text = [], [], []
        self._skip, self._stack = 0, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("script", "style", "textarea", "select"):
            self._skip += 1
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if tag not in VOID:
            classes = (attrs.get("class") or "").split()
            self._stack.append(tag if {"violation", "gb-rule-text"} & set(classes) else "")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "textarea", "select"):
            self._skip -= 1
        if tag not in VOID and self._stack:
            self._stack.pop()

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.text.append(data.strip())
            if any(self._stack):
                self.rule_text.append(data.strip())


def _fragments() -> tuple[set[str], set[str]]:
    """Pieces of the catalog only one language has: Chinese translations (four
    Chinese characters or more, between placeholders, that no English msgid
    quotes as a term) and English msgids (three words or more)."""
    (po_path,) = [p for p in catalogs() if "zh_Hans" in str(p)]
    entries = [e for e in polib.pofile(str(po_path)) if not e.msgid_plural and e.msgstr]
    msgids = "\n".join(e.msgid for e in entries)
    zh, en = set(), set()
    for entry in entries:
        for piece in PLACEHOLDER.split(unescape(entry.msgstr)):
            for part in re.split(r"[，。；：、（）()“”]", piece):
                part = part.strip()
                if len(CJK.findall(part)) >= 4 and part not in msgids:
                    zh.add(part)
        for piece in PLACEHOLDER.split(entry.msgid):
            piece = piece.strip(" ,.;:()")
            if len(piece.split()) >= 3 and not CJK.search(piece):
                en.add(piece)
    return zh, en


def _walk(client: Client, start: list[str], limit: int = 70):
    """(url, text) of the pages reachable from `start`, at most 2 per URL shape."""
    seen, shapes, queue = set(), {}, list(start)
    while queue and len(seen) < limit:
        url = queue.pop(0)
        shape = re.sub(r"\d+", "N", url.split("?")[0])
        if url in seen or shapes.get(shape, 0) >= 2:
            continue
        seen.add(url)
        shapes[shape] = shapes.get(shape, 0) + 1
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = _Page()
        parser.feed(response.content.decode())
        yield url, parser.text, parser.rule_text
        for link in parser.links:
            link = link.split("#")[0]
            if link.startswith("/") and not link.startswith("//") and not SKIP.search(link):
                queue.append(link)


@pytest.mark.django_db(transaction=True)
def test_demo_pages_show_labels_and_numbers_in_the_readers_language():
    from django.contrib.auth import get_user_model

    call_command("load_demo", verbosity=0)
    keys = re.compile(
        r"\b(?:"
        + "|".join(re.escape(k) for k in ParameterDefinition.objects.values_list("key", flat=True))
        + r")\b"
    )
    zh_only, en_only = _fragments()
    problems = set()
    visited = rules_seen = 0
    for username in USERS:
        for language in ("zh-hans", "en"):
            client = Client()
            client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
            start = ["/", "/procurement/notices/", "/rules/"]
            if username != "anonymous":
                client.force_login(get_user_model().objects.get(username=username))
                start = ["/workbench/", *start]
            for url, texts, rule_texts in _walk(client, start):
                visited += 1
                page = " ".join(texts)
                for m in MONEY.finditer(page):
                    if not EXAMPLE.search(page[max(0, m.start() - 8) : m.start()]):
                        problems.add(
                            ("money without separators", url, page[m.start() - 30 : m.end()])
                        )
                if not url.startswith(KEY_PAGES):
                    for m in keys.finditer(page):
                        problems.add(("parameter key", url, m.group()))
                # Rule messages and computed deadlines are in the reader's language.
                lines = "\n".join(rule_texts)
                for piece in zh_only if language == "en" else en_only:
                    if piece in lines:
                        problems.add((f"other language on a {language} page", url, piece))
                rules_seen += bool(rule_texts)
    assert visited > 300 and rules_seen > 20
    for p in sorted(problems):
        print("PROBLEM", p)
    assert sorted(problems) == []
