"""Messages translated when they are read, not when they are made.

A rule's warning stored on an object, or a deadline's explanation, is written
once, in the language of the request that caused it, and read later by people
who chose the other language. A `Text` keeps the English msgid and its
parameters instead: ``str(text)`` renders it in the active language, and
``as_json()`` / ``Text.from_json()`` keep it in a JSONField. Stored records keep
the rendered words too (``message``, ``explanation``), which is what older rows
have and what API clients read.

Mark the msgid for extraction with ``gettext_noop`` (by that name: makemessages
looks for it, not for an alias):

    Text(gettext_noop("%(n)s days after %(what)s (%(start)s)"), n=30, start=day,
         what=Text(gettext_noop("the notice")))

Parameters are user text, numbers and dates (shown as given), other `Text`s,
or the value types below, rendered at display time: `Money` (1,480,000.00 元),
`ParamValue` (a policy parameter's value by its kind: 10%, 30 日 / 30 days),
`Choice` (a TextChoices label), `ByLanguage` (data kept in both languages,
e.g. a negative-list entry's title) and `Join`.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from importlib import import_module

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext

from .formats import format_value

__all__ = ["ByLanguage", "Choice", "Join", "Money", "ParamValue", "Text", "message_of"]


def _english() -> bool:
    return (translation.get_language() or "zh-hans").startswith("en")


class Text(str):
    """A translatable message with its parameters.

    A `str` (its value: the words in the language active when it was made, so it
    goes wherever a message string goes), whose ``str()`` renders it again in the
    active language and whose ``as_json()`` keeps what is needed to do so later."""

    def __new__(cls, msgid: str, /, *, plural: str = "", count: int | None = None, **params):
        frozen = {k: _freeze(v) for k, v in params.items()}
        words = _render_message(str(msgid), plural, count, frozen)
        text = super().__new__(cls, words)
        text.msgid, text.plural, text.count, text.params = str(msgid), plural, count, frozen
        return text

    @classmethod
    def counted(cls, singular: str, plural: str, count: int, /, **params) -> Text:
        """A plural message (mark both with ngettext_lazy for extraction)."""
        return cls(singular, plural=plural, count=count, **params)

    def translated(self) -> bool:
        """Whether the active language has this message (English is the source;
        a msgid of placeholders only, such as a join, needs no translation)."""
        if _english() or not re.search(r"[A-Za-z]", re.sub(r"%\([^)]*\)s", "", self.msgid)):
            return True
        return gettext(self.msgid) != self.msgid

    def __str__(self) -> str:
        return _render_message(self.msgid, self.plural, self.count, self.params)

    def __repr__(self) -> str:
        return f"Text({self.msgid!r}, {self.params!r})"

    __hash__ = str.__hash__

    def __add__(self, other):
        return Text("%(all)s", all=Join("", [self, other]))

    def __radd__(self, other):
        return Text("%(all)s", all=Join("", [other, self]))

    def __reduce__(self):
        return (Text.from_json, (self.as_json(),))

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def as_json(self) -> dict:
        out = {"$text": self.msgid, "params": {k: _encode(v) for k, v in self.params.items()}}
        if self.plural:
            out["plural"], out["count"] = self.plural, self.count
        return out

    @classmethod
    def from_json(cls, data: dict) -> Text:
        params = {k: _decode(v) for k, v in (data.get("params") or {}).items()}
        return cls(data["$text"], plural=data.get("plural", ""), count=data.get("count"), **params)


def _render_message(msgid: str, plural: str, count, params: dict) -> str:
    if plural:
        template = ngettext(msgid, plural, count or 0)
        source = msgid if count == 1 else plural
    else:
        template = gettext(msgid)
        source = msgid
    if not params:
        return template
    values = {k: _render(v) for k, v in params.items()}
    for candidate in (template, source):
        try:
            return candidate % values
        except (KeyError, TypeError, ValueError):
            continue
    return source


class Money:
    """An amount in 元, shown with separators: 1,480,000.00 元."""

    __slots__ = ("amount",)

    def __init__(self, amount):
        self.amount = str(amount)

    def __str__(self) -> str:
        from .money import yuan

        return yuan(self.amount)


class ParamValue:
    """A policy parameter's value shown by its kind (元, %, 日, 工作日, 年 …)."""

    __slots__ = ("value", "value_type", "unit")

    def __init__(self, value, value_type: str, unit: str = ""):
        self.value = value if isinstance(value, (list, tuple)) else str(value)
        self.value_type = value_type
        self.unit = unit

    def __str__(self) -> str:
        value = tuple(self.value) if isinstance(self.value, (list, tuple)) else self.value
        return format_value(value, self.value_type, self.unit)


class Choice:
    """The label of a `TextChoices` member, looked up when shown."""

    __slots__ = ("path", "value")

    def __init__(self, choices, value):
        self.path = (
            choices if isinstance(choices, str) else f"{choices.__module__}.{choices.__name__}"
        )
        self.value = str(value)

    def __str__(self) -> str:
        module, _, name = self.path.rpartition(".")
        try:
            return str(getattr(import_module(module), name)(self.value).label)
        except (ImportError, AttributeError, ValueError):
            return self.value


class ByLanguage:
    """Data kept in both languages (a list entry's title and title_en)."""

    __slots__ = ("zh", "en")

    def __init__(self, zh: str, en: str = ""):
        self.zh, self.en = str(zh or ""), str(en or "")

    def __str__(self) -> str:
        return (self.en or self.zh) if _english() else (self.zh or self.en)


class Join:
    """Parts shown one after the other, with `sep` between them."""

    __slots__ = ("sep", "items")

    def __init__(self, sep: str, items):
        self.sep = sep
        self.items = [_freeze(i) for i in items]

    def __str__(self) -> str:
        return self.sep.join(_render(i) for i in self.items)

    def __add__(self, other):
        return Join("", [self, other])


_TYPES = {"$money": Money, "$param": ParamValue, "$choice": Choice, "$lang": ByLanguage}


def _freeze(value):
    """What a parameter keeps: value types as they are, the rest as plain data."""
    if isinstance(value, (Text, Money, ParamValue, Choice, ByLanguage, Join)):
        return value
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        from django.utils import timezone

        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value.tzinfo else str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Promise):
        # A lazy translation whose msgid cannot be read back: kept as made.
        return str(value)
    return str(value)


def _render(value) -> str:
    return "" if value is None else str(value)


def _encode(value):
    if isinstance(value, Text):
        return value.as_json()
    if isinstance(value, Money):
        return {"$money": value.amount}
    if isinstance(value, ParamValue):
        return {"$param": [value.value, value.value_type, value.unit]}
    if isinstance(value, Choice):
        return {"$choice": [value.path, value.value]}
    if isinstance(value, ByLanguage):
        return {"$lang": [value.zh, value.en]}
    if isinstance(value, Join):
        return {"$join": [value.sep, [_encode(i) for i in value.items]]}
    return value


def _decode(value):
    if not isinstance(value, dict):
        return value
    if "$text" in value:
        return Text.from_json(value)
    if "$join" in value:
        sep, items = value["$join"]
        return Join(sep, [_decode(i) for i in items])
    for key, kind in _TYPES.items():
        if key in value:
            raw = value[key]
            return kind(*raw) if isinstance(raw, list) and kind is not Money else kind(raw)
    return value


def as_text(value) -> Text | None:
    """`value` if it is a `Text` (or a `Join` of parts), else None."""
    if isinstance(value, Text):
        return value
    if isinstance(value, Join):
        return Text("%(all)s", all=value)
    return None


def message_of(record, stored: str = "message", key: str = "text") -> str:
    """The words of a stored record (a violation's dict, or any dict with a stored
    text) in the reader's language; records made before texts were kept, or whose
    message has no translation in the reader's language while the stored words
    are in it, show the stored words."""
    if record is None:
        return ""
    if not isinstance(record, dict):
        text = getattr(record, key, None)
        return str(text) if text is not None else str(getattr(record, stored, "") or "")
    data = record.get(key)
    words = record.get(stored) or ""
    if not data:
        return words
    try:
        text = Text.from_json(data)
    except (KeyError, TypeError, ValueError):
        return words
    if not text.translated() and words and record.get("lang") == translation.get_language():
        return words
    return str(text)


def shown_records(records) -> list[dict]:
    """Stored violations as API clients read them: the message in the request's
    language, without the stored `Text` (the body of `Violation.as_dict`)."""
    out = []
    for record in records or []:
        if not isinstance(record, dict):
            continue
        body = {k: v for k, v in record.items() if k not in ("text", "lang")}
        body["message"] = message_of(record)
        out.append(body)
    return out


def shown_texts(items) -> list[str]:
    """Stored texts, each a plain string (older rows) or a `Text`'s JSON, as words
    in the active language."""
    return [
        str(Text.from_json(i)) if isinstance(i, dict) and "$text" in i else str(i)
        for i in items or []
    ]
