"""The workbench's pages, mounted by `govbuy.urls` in the namespaces their
names always had (`accounts:workbench`, `procurement:inbox`,
`procurement:inbox_below`), at the same paths."""

from django.urls import path

from . import views

# Mounted at "" in the `accounts` namespace.
accounts_patterns = [
    path("workbench/", views.workbench, name="workbench"),
]

# Mounted at "procurement/" in the `procurement` namespace.
procurement_patterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/below/", views.inbox_below, name="inbox_below"),
]
