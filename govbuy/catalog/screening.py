"""Screening of purchase texts for barred content (rules C2, C3, C7 and C9).

Pure Python: no Django models, no database. A :class:`Screener` is built once
from :class:`ListEntry` objects (negative-list items: C2, C3, C7, hard; and
suspicious-text rules: C9, warn) and then screens a title and a description::

    screener = Screener(entries_from_seed(region_ancestors("510104")))
    hits = screener.screen("为本单位招聘编外人员", "面向社会招聘编外工作人员5名")

Text is normalised (NFKC, so full-width letters, digits and punctuation become
half-width; Latin lower-cased; whitespace collapsed, and dropped next to a
Chinese character) and segmented into words with jieba and a domain
dictionary (``data/screening_words.txt``). Patterns match whole words only:
“工程” never fires inside the word “工程造价咨询”.

Pattern syntax (one pattern per line; finance bureaus type these into a form)
-----------------------------------------------------------------------------

``招聘|招录 + 编外人员|临聘人员``

- A line is one or more TERMS joined by ``+``. All terms must occur in this
  order, without overlapping, inside one clause, and the whole match may span
  at most 8 words (punctuation does not count). Clauses end at 。 ！ ？ ； and
  line breaks (also their half-width forms, and a “.” followed by a space or
  a Chinese character); commas and 、 do not end a clause.
- ``{N}`` at the very start of a line sets another span limit, 1–40 words:
  ``{4} 道路 + 建设``.
- A term is one or more ALTERNATIVES separated by ``|``. An alternative is a
  word or a run of words (``劳务派遣``, ``labour dispatch``); it matches a run of
  consecutive whole words of the text whose letters are exactly the
  alternative (after the same normalisation). How jieba splits the
  alternative itself does not matter, but the run must start where a word of
  the text starts and end where one ends — never inside a word.
- ``*`` at the start of an alternative also accepts words that merely END with
  it (``*工程`` matches 工程, 建设工程, 水利工程 — not 工程造价咨询); ``*`` at the end
  accepts words that merely START with it (``融资*`` matches 融资, 融资租赁).
  Use it for nouns that often end longer words: ``*培训`` (人员培训),
  ``*贷款`` (长期贷款). A ``*`` elsewhere, or at both ends, is an error.
- Full-width ``＋`` ``｜`` and letters are accepted; case does not matter.
  Allowed in a word: Chinese characters, Latin letters, digits, spaces and
  ``- · _ . % # &``. Anything else (punctuation, brackets) is an error.

:func:`compile_pattern` checks a line and raises :class:`PatternError` with a
message; :meth:`Pattern.describe` shows how a line is read and
:func:`find_pattern` what it matches in a sample text (for a preview).

Exceptions (“unless” lines) use the same syntax. A hit is cancelled when an
exception of the same list entry matches in the same clause and its span
overlaps the hit's span or touches it (ends on the word just before the hit or
starts on the word just after it); the next match of the entry is then tried.
With the phrase ``道路 + 建设`` and the exception ``监理``, “道路建设监理服务” is
no hit, “道路建设。监理” is one (another clause). An exception with terms
reaches further: ``{10} *工程|建设 + *监理`` cancels the hit in
“道路建设工程实施全过程监理”.

Negation. A mention the text itself excludes is no hit: from a cue such as
不含, 不包括, 不涉及, 不得, 严禁 to the next comma or the end of the clause
(“日常养护，不含修缮、改扩建”), and back from a cue such as 不在此列 over the
preceding comma part (“改造施工属工程，不在此列”). A hit that overlaps such a
span is cancelled like an exception (the cues are :data:`NEGATION_BEFORE` and
:data:`NEGATION_AFTER`; a Screener may be given others).

One hit per (entry, field) is reported — the first that is not cancelled,
widened by the entry's further matches that overlap or touch it — and a C9 (warn) hit lying inside the span of a hard hit of the same field is
dropped. Hits come title first, then by position.
"""

from __future__ import annotations

import bisect
import json
import logging
import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
WORDS_PATH = DATA_DIR / "screening_words.txt"
SEED_PATH = DATA_DIR / "negative_list.json"

DEFAULT_WINDOW = 8
MAX_WINDOW = 40
MAX_LINE = 500

HARD = "hard"
WARN = "warn"

#: cues that exclude what follows them, up to the next comma or clause end
NEGATION_BEFORE = "不含|不包含|不包括|不涉及|不得|不准|禁止|严禁|不属于|并非|无需|excluding|except"
#: cues that exclude the comma part before them
NEGATION_AFTER = "不在此列|不在其列|不在此范围|不在采购范围|不在本项目范围|不属于本项目"

#: rule of each clause of the seed / the NegativeListItem model
CLAUSE_RULES = {
    "art10_1": "C2",
    "art10_2": "C2",
    "art10_3": "C2",
    "art10_4": "C2",
    "art10_5": "C2",
    "art10_6": "C2",
    "caiyu_2017_87": "C3",
    "local": "C7",
}

#: label shown to users when an item has no basis of its own
CLAUSE_LABELS = {
    "art10_1": "102号令 第十条（一）",
    "art10_2": "102号令 第十条（二）",
    "art10_3": "102号令 第十条（三）",
    "art10_4": "102号令 第十条（四）",
    "art10_5": "102号令 第十条（五）",
    "art10_6": "102号令 第十条（六）",
    "caiyu_2017_87": "财预〔2017〕87号",
    "local": "地方负面清单",
}


# --- data ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ListEntry:
    """One negative-list item (C2, C3, C7: hard) or one C9 suspicious-text rule (warn)."""

    key: str
    rule: str
    severity: str
    clause: str
    title: str
    reason: str
    phrases: tuple[str, ...]
    unless: tuple[str, ...] = ()
    # The title and reason in each language (title/reason: the screener's language),
    # so that a warning stored from a hit reads in its reader's language.
    title_zh: str = ""
    title_en: str = ""
    reason_zh: str = ""
    reason_en: str = ""


@dataclass(frozen=True)
class Hit:
    entry: ListEntry
    match: str  # the exact span of the input text that triggered
    phrase: str  # the pattern line that matched
    field: str  # "title" or "description"
    start: int = 0  # offsets of ``match`` in the input field
    end: int = 0


def _(message: str) -> str:
    """Django's gettext when Django is set up; the English text otherwise (the
    engine also runs without Django, e.g. in the benchmark's baseline)."""
    try:
        from django.utils.translation import gettext

        return gettext(message)
    except Exception:  # noqa: BLE001 - settings not configured
        return message


class PatternError(ValueError):
    """A pattern line is malformed; the message says what is wrong."""


# --- tokenizer ----------------------------------------------------------------------

_lock = threading.Lock()
_tokenizer = None


def load_user_words(tokenizer, path: Path | str = WORDS_PATH) -> int:
    """Add the words of a user dictionary (``word [freq] [tag]`` per line, ``#`` comments;
    freq 0 removes a word from the dictionary). Returns the number of lines used."""
    count = 0
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            parts = line.split()
            word, freq, tag = parts[0], None, None
            if len(parts) > 1 and parts[1].isdigit():
                freq = int(parts[1])
                tag = parts[2] if len(parts) > 2 else None
            elif len(parts) > 1:
                tag = parts[1]
            if freq == 0:
                tokenizer.del_word(word)
            else:
                tokenizer.add_word(word, freq, tag)
            count += 1
    return count


def get_tokenizer():
    """The module's own ``jieba.Tokenizer`` with the domain dictionary (lazily, once)."""
    global _tokenizer
    tk = _tokenizer
    if tk is None:
        with _lock:
            if _tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                new = jieba.Tokenizer()
                new.initialize()
                load_user_words(new)
                _tokenizer = new
            tk = _tokenizer
    return tk


# --- normalisation and segmentation ---------------------------------------------------

_CLAUSE_END = frozenset("。!?;\n")
_CJK_RANGES = ((0x3400, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FA1F))
_WORD_CHAR = re.compile(r"[0-9a-z\u3400-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")
_norm_cache: dict[str, str] = {}


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return any(lo <= o <= hi for lo, hi in _CJK_RANGES)


def _norm_char(ch: str) -> str:
    n = _norm_cache.get(ch)
    if n is None:
        n = unicodedata.normalize("NFKC", ch).lower()
        if len(_norm_cache) < 50_000:
            _norm_cache[ch] = n
    return n


def normalize(text: str) -> tuple[str, list[int]]:
    """NFKC + lower case + whitespace folding. Returns the normalised text and, for
    each of its characters, the offset of the input character it came from.

    A run of whitespace becomes one space — none next to a Chinese character, so
    that “劳务 派遣” reads as 劳务派遣 and “5G 基站” as 5g基站 — or a line break when
    it holds one (a line break ends a clause)."""
    out: list[str] = []
    origin: list[int] = []
    pending = None  # (offset, had_newline) of a whitespace run not yet written
    for i, ch in enumerate(text or ""):
        n = ch if ch.isascii() and not ch.isupper() else _norm_char(ch)
        if not n:
            continue
        if n.isspace():
            newline = "\n" in n or "\r" in n or ch in "\u2028\u2029\x85"
            if pending is None:
                pending = (i, newline)
            elif newline:
                pending = (pending[0], True)
            continue
        if pending is not None:
            at, newline = pending
            pending = None
            if newline:
                out.append("\n")
                origin.append(at)
            elif out and out[-1] != "\n" and not (_is_cjk(out[-1]) or _is_cjk(n[0])):
                out.append(" ")
                origin.append(at)
        for c in n:
            out.append(c)
            origin.append(i)
    return "".join(out), origin


class _Text:
    """A normalised, segmented field: tokens with offsets, clause and word numbers."""

    __slots__ = (
        "s",
        "origin",
        "starts",
        "ends",
        "tokens",
        "clause",
        "sub",
        "word",
        "is_word",
        "tok_at",
    )

    def __init__(self, text: str):
        s, origin = normalize(text)
        self.s = s
        self.origin = origin
        tokens = [t for t in get_tokenizer().cut(s, HMM=False) if t]
        self.tokens = tokens
        starts, ends, clause, sub, word, is_word = [], [], [], [], [], []
        pos = 0
        c = 0
        part = 0  # comma-delimited part, also new at each clause
        w = 0
        n = len(s)
        for tok in tokens:
            starts.append(pos)
            pos += len(tok)
            ends.append(pos)
            sep = tok in _CLAUSE_END or (
                tok == "." and (pos >= n or s[pos] == " " or s[pos] == "\n" or _is_cjk(s[pos]))
            )
            if sep:
                c += 1
                part += 1
            iw = not sep and bool(_WORD_CHAR.search(tok))
            clause.append(c)
            sub.append(part)
            word.append(w)
            is_word.append(iw)
            if iw:
                w += 1
            if sep:
                c += 1
            if sep or tok == ",":
                part += 1
        self.starts = starts
        self.ends = ends
        self.clause = clause
        self.sub = sub
        self.word = word
        self.is_word = is_word
        # token index of each character
        tok_at = [0] * n
        for k, (a, b) in enumerate(zip(starts, ends, strict=True)):
            for j in range(a, b):
                tok_at[j] = k
        self.tok_at = tok_at

    def span_text(self, original: str, first: int, last: int) -> tuple[str, int, int]:
        """The input text of tokens first..last (inclusive) and its offsets."""
        a = self.origin[self.starts[first]]
        b = self.origin[self.ends[last] - 1] + 1
        return original[a:b], a, b


def tokenize(text: str) -> list[str]:
    """The normalised words of ``text`` (jieba with the domain dictionary, no HMM;
    whitespace dropped, punctuation kept as tokens)."""
    t = _Text(text)
    return [tok for tok in t.tokens if not tok.isspace()]


# --- patterns ---------------------------------------------------------------------------

_WINDOW = re.compile(r"^\{\s*(\d+)\s*\}\s*")
_ALLOWED = re.compile(
    r"^[0-9a-z \-·_.%#&\u3400-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]+$",
)


@dataclass(frozen=True)
class Alternative:
    text: str  # normalised letters the text must contain
    kind: str  # "exact" | "suffix" (written *X) | "prefix" (written X*)
    words: tuple[str, ...]  # how the tokenizer reads it (shown to users)


@dataclass(frozen=True)
class Pattern:
    line: str
    window: int
    terms: tuple[tuple[Alternative, ...], ...]

    def describe(self) -> str:
        """How the pattern is read, e.g. ``招聘 / 编外人员 + …`` (for previews)."""
        return " + ".join(
            " | ".join(
                ("*" if a.kind == "suffix" else "")
                + " / ".join(a.words)
                + ("*" if a.kind == "prefix" else "")
                for a in term
            )
            for term in self.terms
        )


@lru_cache(maxsize=8192)
def compile_pattern(line: str) -> Pattern:
    """Parse and check one pattern line (syntax in the module docstring).

    Raises :class:`PatternError` with a message that says what is wrong."""
    if not isinstance(line, str):
        raise PatternError(_("a pattern must be text"))
    if len(line) > MAX_LINE:
        raise PatternError(
            _("the pattern is too long (at most %(n)s characters)") % {"n": MAX_LINE}
        )
    src = unicodedata.normalize("NFKC", line).strip().lower()
    if not src:
        raise PatternError(_("the pattern is empty"))
    window = DEFAULT_WINDOW
    m = _WINDOW.match(src)
    if m:
        window = int(m.group(1))
        if not 1 <= window <= MAX_WINDOW:
            raise PatternError(
                _("the span limit {%(window)s} must be between 1 and %(max)s")
                % {"window": window, "max": MAX_WINDOW}
            )
        src = src[m.end() :]
    elif src.startswith("{") or "}" in src or "{" in src:
        raise PatternError(_("write a span limit as {N} at the very start, e.g. {4} 道路 + 建设"))
    if src.startswith("+") or src.endswith("+"):
        raise PatternError(_("“+” must stand between two terms"))
    terms = []
    for n, raw_term in enumerate(src.split("+"), start=1):
        term = raw_term.strip()
        if not term:
            raise PatternError(_("term %(n)s is empty (two “+” in a row?)") % {"n": n})
        alts = []
        for raw_alt in term.split("|"):
            alt = raw_alt.strip()
            if not alt:
                raise PatternError(_("term %(n)s has an empty alternative (stray “|”?)") % {"n": n})
            alts.append(_compile_alternative(alt, n))
        terms.append(tuple(alts))
    if len(terms) > window:
        raise PatternError(
            _("%(n)s terms cannot fit in a span of %(window)s words")
            % {"n": len(terms), "window": window}
        )
    return Pattern(line=line.strip(), window=window, terms=tuple(terms))


def _compile_alternative(alt: str, n: int) -> Alternative:
    lead, trail = alt.startswith("*"), alt.endswith("*") and len(alt) > 1
    body = alt[1 if lead else 0 : len(alt) - 1 if trail else len(alt)].strip()
    if lead and trail:
        raise PatternError(
            _("“%(alt)s”: “*” may stand at the start or at the end, not both") % {"alt": alt}
        )
    if "*" in body:
        raise PatternError(
            _("“%(alt)s”: “*” may only stand at the start or the end of a word") % {"alt": alt}
        )
    if not body:
        raise PatternError(_("term %(n)s: “*” needs a word next to it") % {"n": n})
    if not _ALLOWED.match(body):
        bad = sorted({c for c in body if not _ALLOWED.match(c)})
        raise PatternError(
            _(
                "“%(alt)s”: characters not allowed in a word: %(bad)s (clauses cannot be "
                "crossed; use “+” between words, “|” between alternatives)"
            )
            % {"alt": alt, "bad": " ".join(bad)}
        )
    text, _offsets = normalize(body)
    if not _WORD_CHAR.search(text):
        raise PatternError(
            _("“%(alt)s” has no letters, digits or Chinese characters") % {"alt": alt}
        )
    words = tuple(w for w in get_tokenizer().cut(text, HMM=False) if not w.isspace())
    kind = "suffix" if lead else "prefix" if trail else "exact"
    return Alternative(text=text, kind=kind, words=words)


# --- matching ---------------------------------------------------------------------------


class _Lexicon:
    """Every alternative of every pattern, indexed by length for one pass over a text."""

    def __init__(self):
        self.ids: dict[tuple[str, str], int] = {}
        self.by_kind: dict[str, dict[int, dict[str, int]]] = {
            "exact": {},
            "suffix": {},
            "prefix": {},
        }

    def add(self, alt: Alternative) -> int:
        key = (alt.kind, alt.text)
        aid = self.ids.get(key)
        if aid is None:
            aid = len(self.ids)
            self.ids[key] = aid
            self.by_kind[alt.kind].setdefault(len(alt.text), {})[alt.text] = aid
        return aid

    def occurrences(self, t: _Text) -> dict[int, list[tuple[int, int]]]:
        """alternative id -> [(first token, last token)], sorted."""
        s = t.s
        found: dict[int, list[tuple[int, int]]] = {}
        exact = sorted(self.by_kind["exact"].items())
        prefix = sorted(self.by_kind["prefix"].items())
        suffix = sorted(self.by_kind["suffix"].items())
        end_tok = {e: k for k, e in enumerate(t.ends)}
        clause = t.clause
        n = len(s)
        for k in range(len(t.tokens)):
            if not t.is_word[k]:
                continue
            a = t.starts[k]
            for length, table in exact:
                b = a + length
                if b > n:
                    break
                aid = table.get(s[a:b])
                if aid is not None:
                    last = end_tok.get(b)
                    if last is not None and clause[last] == clause[k]:
                        found.setdefault(aid, []).append((k, last))
            for length, table in prefix:
                b = a + length
                if b > n:
                    break
                aid = table.get(s[a:b])
                if aid is not None and clause[t.tok_at[b - 1]] == clause[k]:
                    found.setdefault(aid, []).append((k, t.tok_at[b - 1]))
            b = t.ends[k]
            for length, table in suffix:
                a2 = b - length
                if a2 < 0:
                    break
                aid = table.get(s[a2:b])
                if aid is not None and clause[t.tok_at[a2]] == clause[k]:
                    found.setdefault(aid, []).append((t.tok_at[a2], k))
        for spans in found.values():
            spans.sort()
        return found


class _Compiled:
    __slots__ = ("pattern", "terms")

    def __init__(self, pattern: Pattern, lexicon: _Lexicon):
        self.pattern = pattern
        self.terms = tuple(tuple(lexicon.add(a) for a in term) for term in pattern.terms)

    def matches(self, t: _Text, occ: dict[int, list[tuple[int, int]]]) -> list[tuple[int, int]]:
        """All matches as (first token, last token), at most one per start occurrence."""
        term_spans = []
        for term in self.terms:
            spans: list[tuple[int, int]] = []
            for aid in term:
                spans.extend(occ.get(aid, ()))
            if not spans:
                return []
            if len(term) > 1:
                spans = sorted(set(spans))
            term_spans.append(spans)
        window = self.pattern.window
        out = []
        for first, last in term_spans[0]:
            clause = t.clause[first]
            limit = t.word[first] + window - 1
            if t.word[last] > limit:
                continue
            end = last
            tail = first  # start of the occurrence matched by the last term
            ok = True
            for spans in term_spans[1:]:
                i = bisect.bisect_left(spans, (end + 1, -1))
                best = None
                while i < len(spans):
                    a, b = spans[i]
                    if best is not None and a > best[1]:
                        break
                    if t.clause[a] != clause or t.word[a] > limit:
                        break
                    if (
                        t.clause[b] == clause
                        and t.word[b] <= limit
                        and (best is None or b < best[1])
                    ):
                        best = (a, b)
                    i += 1
                if best is None:
                    ok = False
                    break
                tail, end = best
            if ok:
                # widen over further occurrences of the last term that overlap or
                # touch it (“招聘编外” + “工作人员” -> “招聘编外工作人员”)
                spans = term_spans[-1]
                i = bisect.bisect_left(spans, (tail, -1))
                while i < len(spans) and spans[i][0] <= end + 1:
                    b = spans[i][1]
                    if b > end and t.clause[b] == clause and t.word[b] <= limit:
                        end = b
                    i += 1
                out.append((first, end))
        return out


class _Spans:
    """Token ranges (inclusive), merged, for O(log n) overlap tests."""

    __slots__ = ("starts", "ends")

    def __init__(self, spans: Iterable[tuple[int, int]]):
        self.starts: list[int] = []
        self.ends: list[int] = []
        for a, b in sorted(spans):
            if self.ends and a <= self.ends[-1] + 1:
                self.ends[-1] = max(self.ends[-1], b)
            else:
                self.starts.append(a)
                self.ends.append(b)

    def overlaps(self, first: int, last: int) -> bool:
        i = bisect.bisect_right(self.starts, last) - 1
        return i >= 0 and self.ends[i] >= first


class Screener:
    """Screens a title and a description against list entries; compile once, use often."""

    def __init__(
        self,
        entries: Sequence[ListEntry],
        *,
        negation_before: str = NEGATION_BEFORE,
        negation_after: str = NEGATION_AFTER,
    ):
        self.entries = tuple(entries)
        self._lexicon = _Lexicon()
        self._neg_before = _Compiled(compile_pattern(negation_before), self._lexicon)
        self._neg_after = _Compiled(compile_pattern(negation_after), self._lexicon)
        self._compiled: list[tuple[ListEntry, list[_Compiled], list[_Compiled]]] = []
        for entry in self.entries:
            phrases = [self._compile(entry, line) for line in entry.phrases if line.strip()]
            unless = [self._compile(entry, line) for line in entry.unless if line.strip()]
            if phrases:
                self._compiled.append((entry, phrases, unless))

    def _compile(self, entry: ListEntry, line: str) -> _Compiled:
        try:
            pattern = compile_pattern(line.strip())
        except PatternError as e:
            raise PatternError(f"{entry.key}: “{line}”: {e}") from None
        return _Compiled(pattern, self._lexicon)

    def _negated(self, t: _Text, occ) -> list[tuple[int, int]]:
        """Token ranges the text itself excludes (see “Negation” above)."""
        spans = []
        before = self._neg_before.matches(t, occ)
        after = self._neg_after.matches(t, occ)
        if not before and not after:
            return spans
        part_start: dict[int, int] = {}
        part_end: dict[int, int] = {}
        for k, part in enumerate(t.sub):
            part_start.setdefault(part, k)
            part_end[part] = k
        for first, last in before:
            spans.append((first, part_end[t.sub[last]]))
        for first, last in after:
            part = t.sub[first]
            start = part_start[part]
            prev = part_start.get(part - 1)
            if prev is not None and t.clause[prev] == t.clause[first]:
                start = prev
            spans.append((start, last))
        return spans

    def screen(self, title: str, description: str) -> list[Hit]:
        hits: list[Hit] = []
        for field, value in (("title", title), ("description", description)):
            if value and value.strip():
                hits.extend(self._screen_field(field, value))
        return hits

    def _screen_field(self, field: str, value: str) -> list[Hit]:
        t = _Text(value)
        occ = self._lexicon.occurrences(t)
        if not occ:
            return []
        negated = _Spans(self._negated(t, occ))
        found = []  # (first, last, order, entry, pattern line)
        for order, (entry, phrases, unless) in enumerate(self._compiled):
            candidates = []
            for c in phrases:
                for first, last in c.matches(t, occ):
                    candidates.append((first, last, c.pattern.line))
            if not candidates:
                continue
            candidates.sort(key=lambda x: (x[0], x[1]))
            exceptions = None
            hit = None
            for first, last, line in candidates:
                if hit is not None and first > hit[1] + 1:
                    break
                if negated.overlaps(first, last):
                    continue
                if unless:
                    if exceptions is None:
                        # an exception cancels what it overlaps or touches
                        exceptions = _Spans(
                            (a - 1, b + 1) for c in unless for a, b in c.matches(t, occ)
                        )
                    if exceptions.overlaps(first, last):
                        continue
                if hit is None:
                    hit = [first, last, line]
                else:  # a further match overlapping or touching the first widens it
                    hit[1] = max(hit[1], last)
            if hit is not None:
                found.append((hit[0], hit[1], order, entry, hit[2]))
        hard_spans = [(f, la) for f, la, _pos, e, _hit in found if e.severity == HARD]
        out = []
        for first, last, _order, entry, line in sorted(found, key=lambda x: (x[0], x[2])):
            if entry.severity != HARD and any(a <= first and last <= b for a, b in hard_spans):
                continue
            match, a, b = t.span_text(value, first, last)
            out.append(Hit(entry=entry, match=match, phrase=line, field=field, start=a, end=b))
        return out


def find_pattern(line: str, text: str) -> list[str]:
    """The spans of ``text`` a single pattern line matches (a preview for the form)."""
    probe = ListEntry("probe", "C9", WARN, "", "", "", (line,))
    t = _Text(text)
    screener = Screener([probe])
    occ = screener._lexicon.occurrences(t)
    (_first, (compiled,), _last) = screener._compiled[0]
    return [t.span_text(text, a, b)[0] for a, b in compiled.matches(t, occ)]


# --- seed -------------------------------------------------------------------------------


def load_seed(path: Path | str | None = None) -> tuple[list[dict], list[dict]]:
    """(negative-list items, suspicious-text rules) of ``data/negative_list.json``."""
    with open(path or SEED_PATH, encoding="utf-8") as f:
        data = json.load(f)
    return list(data["items"]), list(data["suspicious"])


def region_ancestors(code: str | None) -> list[str]:
    """A GB/T 2260 code and the codes above it: 510104 -> [510104, 510100, 510000]."""
    if not code:
        return []
    code = str(code)
    out = [code]
    if len(code) == 6 and code.isdigit():
        for parent in (code[:4] + "00", code[:2] + "0000"):
            if parent not in out:
                out.append(parent)
    return out


def entry_for_item(item: Mapping) -> ListEntry:
    """A hard entry from a negative-list item (seed dict or the model's fields)."""
    clause = item["clause"]
    rule = item.get("rule") or CLAUSE_RULES.get(clause)
    if rule not in ("C2", "C3", "C7"):
        raise ValueError(f"{item.get('key')}: unknown clause {clause!r}")
    return ListEntry(
        key=item["key"],
        rule=rule,
        severity=HARD,
        clause=(item.get("basis") or "").strip() or CLAUSE_LABELS.get(clause, clause),
        title=item["title"],
        reason=item["description"],
        phrases=_lines(item.get("phrases")),
        unless=_lines(item.get("unless")),
    )


def entry_for_suspicious(rule: Mapping) -> ListEntry:
    """A C9 (warn) entry from a suspicious-text rule."""
    return ListEntry(
        key=rule["key"],
        rule="C9",
        severity=WARN,
        clause="C9",
        title=rule["title"],
        reason=rule["reason"],
        phrases=_lines(rule.get("phrases")),
        unless=_lines(rule.get("unless")),
    )


def _lines(value) -> tuple[str, ...]:
    if not value:
        return ()
    if isinstance(value, str):
        value = value.splitlines()
    return tuple(v.strip() for v in value if v and v.strip())


def entries_from_seed(
    region_codes: Sequence[str] | None = None, path: Path | str | None = None
) -> list[ListEntry]:
    """National items, the local items of ``region_codes`` (pass the whole chain, see
    :func:`region_ancestors`; ``None`` means none) and all C9 rules."""
    items, suspicious = load_seed(path)
    regions = set(region_codes or ())
    out = [
        entry_for_item(item)
        for item in items
        if item.get("region") is None or item.get("region") in regions
    ]
    out.extend(entry_for_suspicious(rule) for rule in suspicious)
    return out


def seed_patterns(path: Path | str | None = None) -> Iterable[tuple[str, str]]:
    """(key, line) of every phrase and exception of the seed (for checks)."""
    items, suspicious = load_seed(path)
    for entry in [*items, *suspicious]:
        for line in [*_lines(entry.get("phrases")), *_lines(entry.get("unless"))]:
            yield entry["key"], line
