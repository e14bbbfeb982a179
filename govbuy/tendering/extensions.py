"""What the apps built on tendering add to its pages (they import tendering;
tendering imports none of them): the challenges app registers, when it is
ready, the questions and complaints the round page shows.

A round context is ``(user, tender) -> dict`` of template variables."""

from __future__ import annotations

from collections.abc import Callable

_round_contexts: dict[str, Callable] = {}


def register_round_context(name: str, source: Callable) -> None:
    """Add (or replace) what app `name` adds to the round page."""
    _round_contexts[name] = source


def round_context(user, tender) -> dict:
    """The template variables every registered app adds to the round page."""
    context: dict = {}
    for source in _round_contexts.values():
        context.update(source(user, tender))
    return context
