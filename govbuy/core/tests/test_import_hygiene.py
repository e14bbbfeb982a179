"""No module uses another module's private names (issue 12, A1-A2; DESIGN.md).

A leading underscore means "this module's own": `_refuse`, `_publish`,
`_project_facts`. Another module may not import one (`from x import _y`,
`import x._y`) nor reach one through a module it imported (`x._y`). And no
module outside the tests imports a test module (the import-linter contract in
pyproject.toml lets tests import anything; this keeps the reverse out).

The check reads every .py under govbuy/ (tests included, migrations excluded)
with `ast`, so function-level imports count like the others.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import govbuy

ROOT = Path(govbuy.__file__).resolve().parent.parent
PACKAGE = ROOT / "govbuy"

# Known violations: none since the split of procurement (issue 12, A1). This list
# only shrinks: the test fails for a listed entry that no longer occurs.
ALLOWED: set[str] = set()


def _is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(name: str) -> bool:
    base = ROOT.joinpath(*name.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _absolute(current: str, is_package: bool, module: str | None, level: int) -> str:
    """The absolute name of `from <level dots><module> import …` in `current`."""
    if level == 0:
        return module or ""
    base = current.split(".")
    if not is_package:
        base.pop()
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, module] if module else base)


def _is_test_module(name: str) -> bool:
    return ".tests." in f"{name}." or name.split(".")[-1] in {"conftest"}


def _sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        if "migrations" not in path.relative_to(PACKAGE).parts:
            yield path


def scan(rel: str, current: str, is_package: bool, text: str) -> tuple[set[str], set[str]]:
    """One module's (private names of other modules it uses, govbuy modules it
    imports), each as "rel: imported.name"."""
    private: set[str] = set()
    imported: set[str] = set()
    modules: dict[str, str] = {}  # local name -> the govbuy module it is bound to
    tree = ast.parse(text, filename=rel)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = _absolute(current, is_package, node.module, node.level)
            if source != "govbuy" and not source.startswith("govbuy."):
                continue
            for alias in node.names:
                full = f"{source}.{alias.name}"
                imported.add(full if _is_module(full) else source)
                if _is_module(full):
                    modules[alias.asname or alias.name] = full
                if source != current and (
                    _is_private(alias.name) or any(map(_is_private, source.split(".")))
                ):
                    private.add(f"{rel}: {full}")
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name != "govbuy" and not alias.name.startswith("govbuy."):
                    continue
                imported.add(alias.name)
                if alias.asname:
                    modules[alias.asname] = alias.name
                if any(map(_is_private, alias.name.split("."))):
                    private.add(f"{rel}: {alias.name}")
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and _is_private(node.attr)
            and modules[node.value.id] != current
        ):
            private.add(f"{rel}: {modules[node.value.id]}.{node.attr}")
    return private, {f"{rel}: {name}" for name in imported}


@functools.cache
def findings() -> tuple[frozenset[str], frozenset[str]]:
    """(private names used across modules, test modules imported by non-tests)."""
    private: set[str] = set()
    tests_imported: set[str] = set()
    for path in _sources():
        current = _module_name(path)
        rel = path.relative_to(ROOT).as_posix()
        found, imported = scan(
            rel, current, path.name == "__init__.py", path.read_text(encoding="utf-8")
        )
        private |= found
        if not _is_test_module(current):
            tests_imported |= {i for i in imported if _is_test_module(i.split(": ")[1])}
    return frozenset(private), frozenset(tests_imported)


def test_no_module_imports_another_modules_private_names():
    private, _tests = findings()
    new = sorted(private - ALLOWED)
    assert not new, "private names used across modules:\n" + "\n".join(new)


def test_the_allowlist_only_shrinks():
    private, _tests = findings()
    fixed = sorted(ALLOWED - private)
    assert not fixed, "fixed: remove from ALLOWED:\n" + "\n".join(fixed)
    outside = sorted(a for a in ALLOWED if not a.startswith("govbuy/procurement/"))
    assert not outside, outside


def test_no_module_outside_the_tests_imports_a_test_module():
    _private, tests_imported = findings()
    assert not tests_imported, sorted(tests_imported)


def test_the_check_sees_each_form():
    """Each form on a sample module of the budgets app: a private name imported
    (absolute and relative), reached through an imported module, a private module
    imported; its own names and public ones are not findings."""
    sample = (
        "from govbuy.core import params\n"
        "from govbuy.core.params import _shipped_definitions, label\n"
        "from . import services as budget_services\n"
        "from .selectors import _int\n"
        "import govbuy.core._probe\n"
        "def _own():\n"
        "    return _own\n"
        "def f():\n"
        "    from govbuy.catalog.tests.conftest import catalog\n"
        "    return params._shipped_definitions(), params.label, budget_services._x, _own()\n"
    )
    private, imported = scan("b.py", "govbuy.budgets.views", False, sample)
    assert private == {
        "b.py: govbuy.core.params._shipped_definitions",
        "b.py: govbuy.budgets.selectors._int",
        "b.py: govbuy.core._probe",
        "b.py: govbuy.budgets.services._x",
    }
    assert "b.py: govbuy.catalog.tests.conftest" in imported
    assert _absolute("govbuy.procurement.services.evaluation", False, "inbox", 2) == (
        "govbuy.procurement.inbox"
    )
    assert _absolute("govbuy.workbench", True, "inbox", 1) == "govbuy.workbench.inbox"
