"""Which purchase projects a provider took part in: what a credit record (S9)
may be about.

orgs keeps credit records but knows nothing of purchases (apps import only
downward), so the apps above say what "took part" means for them, each with a
source registered when the app is ready:

- procurement: the provider's bid on a round of the project was opened (before
  the opening who bid is sealed, P12, so nobody can record about it yet);
- contracts, when it exists: the provider holds a contract of the project.

A source takes a provider and returns a QuerySet of the projects
(``procurement.PurchaseProject``, whose ``department`` and ``region`` the
credit rules read)."""

from __future__ import annotations

from collections.abc import Callable

_sources: dict[str, Callable] = {}


def register(name: str, source: Callable) -> None:
    """Add (or replace) the source called `name`."""
    _sources[name] = source


def projects_of(provider):
    """The projects `provider` took part in, by every registered source (none
    when no app registered one)."""
    from .models import CreditRecord

    found = CreditRecord._meta.get_field("project").related_model.objects.none()
    for source in _sources.values():
        found = found | source(provider)
    return found.distinct()
