"""What the apps built on procurement add to its pages.

procurement is the bottom of the purchase chain: tendering and challenges
import it, it imports neither. Its project page and inbox still show the
running purchase, so the apps above register, when they are ready, what they
add (as ``orgs.credit_links`` does for credit records):

- a project context: ``(user, project, member) -> dict`` of template
  variables for the project page;
- inbox sections: ``(user, role) -> list[dict]`` for the inbox, each
  ``{"items": [...], ...}``.
"""

from __future__ import annotations

from collections.abc import Callable

_project_contexts: dict[str, Callable] = {}
_inbox_sections: dict[str, Callable] = {}


def register_project_context(name: str, source: Callable) -> None:
    """Add (or replace) what app `name` adds to the project page."""
    _project_contexts[name] = source


def register_inbox_sections(name: str, source: Callable) -> None:
    """Add (or replace) the inbox sections of app `name`."""
    _inbox_sections[name] = source


def project_context(user, project, member: bool) -> dict:
    """The template variables every registered app adds to the project page."""
    context: dict = {}
    for source in _project_contexts.values():
        context.update(source(user, project, member))
    return context


def inbox_sections(user, role) -> list[dict]:
    """The inbox sections of every registered app, in registration order."""
    return [s for source in _inbox_sections.values() for s in source(user, role)]
