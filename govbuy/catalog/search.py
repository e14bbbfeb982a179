"""Catalog search: segmented Chinese full text and pinyin (full and initials).

Each item stores, next to its name, three search columns:

- ``search_text``: the jieba search-mode words of name, keywords and
  description, lower-cased, each between spaces (`` 居家 养老 居家养老 服务 ``), so
  that a word matches whole words only (LIKE '% 养老 %');
- ``name_pinyin``: the name and keywords in toneless pinyin without spaces
  (``juzhuyanglaofuwu yanglao``), so that ``yanglao`` is a substring match;
- ``name_initials``: the initials (``jjylfw yl``).

Queries rank in SQL (one query, portable between SQLite and PostgreSQL):
exact name, then name prefix, name substring, keyword, pinyin prefix, initials
prefix, word hits; ties by depth and tree order.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata

from django.db.models import Case, IntegerField, Q, Value, When

_lock = threading.Lock()
_tokenizer = None

MAX_QUERY = 100
_CJK = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[\w\u3400-\u9fff]+")
_LATIN = re.compile(r"[a-z0-9]+")


def tokenizer():
    """The shared jieba tokenizer (the screening one, with the domain words)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                try:
                    from .screening import get_tokenizer

                    _tokenizer = get_tokenizer()
                except ImportError:  # pragma: no cover - screening not installed
                    import jieba

                    jieba.setLogLevel(logging.WARNING)
                    tk = jieba.Tokenizer()
                    tk.initialize()
                    _tokenizer = tk
    return _tokenizer


def normalize(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text or "")).strip().lower()


def words(text: str) -> list[str]:
    """Search-mode words of ``text``: whole words and their dictionary sub-words."""
    text = normalize(text)
    if not text:
        return []
    return [w for w in tokenizer().cut_for_search(text) if _WORD.fullmatch(w)]


def search_text(name: str, keywords: str = "", description: str = "") -> str:
    seen: dict[str, None] = {}
    for part in (name, keywords, description):
        for w in words(part):
            seen.setdefault(w, None)
    return " " + " ".join(seen) + " " if seen else ""


def _pinyin(text: str, style) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(normalize(text), style=style, errors=lambda s: list(s)))


def pinyin_columns(name: str, keywords: str = "") -> tuple[str, str]:
    """(full pinyin, initials) of the name followed by each keyword."""
    from pypinyin import Style

    parts = [name, *keywords.split()]
    full = " ".join(_LATIN_ONLY(_pinyin(p, Style.NORMAL)) for p in parts if p)
    initials = " ".join(_LATIN_ONLY(_pinyin(p, Style.FIRST_LETTER)) for p in parts if p)
    return full[:800], initials[:200]


def _LATIN_ONLY(text: str) -> str:  # noqa: N802 - reads as a filter
    return "".join(_LATIN.findall(text.lower()))


def search_columns(name: str, keywords: str = "", description: str = "") -> dict[str, str]:
    full, initials = pinyin_columns(name, keywords)
    return {
        "search_text": search_text(name, keywords, description),
        "name_pinyin": full,
        "name_initials": initials,
    }


def search_items(queryset, query: str):
    """Filter and rank a CatalogItem ``queryset`` by ``query``; returns it
    annotated with ``score``, best first."""
    q = normalize(query)[:MAX_QUERY]
    if not q:
        return queryset.none()
    if _CJK.search(q):
        terms = [w for w in dict.fromkeys(tokenizer().lcut(q)) if _WORD.fullmatch(w)]
        word_match = Q()
        for t in terms:
            word_match &= Q(search_text__contains=f" {t} ") | Q(name__contains=t)
        filt = Q(name__contains=q) | Q(keywords__contains=q)
        if terms:
            filt |= word_match
        word_scores = [
            Case(When(search_text__contains=f" {t} ", then=Value(10)), default=Value(0))
            for t in terms
        ]
        score = Case(
            When(name=q, then=Value(100)),
            When(name__startswith=q, then=Value(60)),
            When(name__contains=q, then=Value(40)),
            When(keywords__contains=q, then=Value(25)),
            default=Value(0),
            output_field=IntegerField(),
        )
        for ws in word_scores:
            score = score + ws
    else:
        compact = _LATIN_ONLY(q)
        if not compact:
            return queryset.none()
        filt = (
            Q(name_pinyin__contains=compact)
            | Q(name_initials__contains=compact)
            | Q(code__istartswith=compact)
            | Q(search_text__contains=f" {compact} ")
        )
        score = Case(
            When(code__iexact=compact, then=Value(100)),
            When(code__istartswith=compact, then=Value(70)),
            When(name_pinyin__startswith=compact, then=Value(60)),
            When(name_initials__startswith=compact, then=Value(50)),
            When(name_pinyin__contains=f" {compact}", then=Value(40)),
            When(name_pinyin__contains=compact, then=Value(30)),
            When(name_initials__contains=compact, then=Value(20)),
            default=Value(10),
            output_field=IntegerField(),
        )
    return queryset.filter(filt).annotate(score=score).order_by("-score", "depth", "sort_key")
