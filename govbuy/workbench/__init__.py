"""The workbenches and inboxes: the project-level composition of every app (the
top of the layers in pyproject.toml's import-linter contract; nothing imports it
but `govbuy.urls`)."""
