"""What the apps built on procurement add to its pages.

procurement is the bottom of the purchase chain: tendering and challenges
import it, it imports neither. Its project page still shows the running
purchase, so the apps above register, when they are ready, what they
add (as ``orgs.credit_links`` does for credit records):

- a project context: ``(user, project, member) -> dict`` of template
  variables for the project page.

The inbox and the workbenches compose every app from above (`govbuy.workbench`).
"""

from __future__ import annotations

from collections.abc import Callable

_project_contexts: dict[str, Callable] = {}


def register_project_context(name: str, source: Callable) -> None:
    """Add (or replace) what app `name` adds to the project page."""
    _project_contexts[name] = source


def project_context(user, project, member: bool) -> dict:
    """The template variables every registered app adds to the project page."""
    context: dict = {}
    for source in _project_contexts.values():
        context.update(source(user, project, member))
    return context
