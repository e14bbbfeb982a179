"""Compile and check the message catalogs in pure Python (polib).

A user's machine has Python, Node and git but not GNU gettext, so the .mo
files are compiled here and committed; ``makemessages`` (which needs xgettext)
is only run by whoever changes the strings.

    python -m govbuy.core.i18n compile   # every govbuy/locale/*/LC_MESSAGES/django.po → .mo
    python -m govbuy.core.i18n check     # exit 1 on an untranslated or fuzzy entry in
                                         # the complete catalogs, a placeholder mismatch
                                         # or a .mo that is out of date with its .po
    python -m govbuy.core.i18n apply F…  # put the translations of JSON files
                                         # ({"msgid": "msgstr", …}) into the zh_Hans
                                         # catalog, then compile

`apply` lets several people translate in parallel without editing the same
.po: each keeps a JSON file of its new strings, and whoever merges runs
``makemessages`` once and applies them all.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent.parent
LOCALE_DIR = ROOT / "govbuy" / "locale"
DOMAIN = "django"
# Catalogs that must translate every msgid (English is the source language).
COMPLETE_LOCALES = ("zh_Hans",)
PLURAL_FORMS = {"zh_Hans": "nplurals=1; plural=0;"}

# printf-style placeholders as Python's % operator reads them: %(name)s, %d, %%.
PLACEHOLDER = re.compile(
    r"%(?:\((?P<name>[^)]*)\))?[#0\- +]*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?P<conv>[diouxXeEfFgGcrsa%])"
)


def catalogs(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    """Every ``<locale>/LC_MESSAGES/django.po`` under `locale_dir`, sorted."""
    return sorted(locale_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def _placeholders(text: str) -> list[str]:
    found = []
    for m in PLACEHOLDER.finditer(text):
        if m["conv"] == "%":
            continue
        found.append(f"({m['name']})" if m["name"] is not None else m["conv"])
    return found


def _format_errors(entry: polib.POEntry) -> list[str]:
    """A msgstr must use the placeholders of its msgid (or, for plural forms,
    of msgid_plural), or Python's % would fail or drop a value at run time."""
    if "python-format" not in entry.flags or not entry.translated():
        return []
    sources = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
    wanted = [sorted(_placeholders(s)) for s in sources]
    translations = (
        [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]
        if entry.msgid_plural
        else [entry.msgstr]
    )
    errors = []
    for text in translations:
        got = sorted(_placeholders(text))
        if got not in wanted:
            errors.append(
                f"placeholders {got} in the translation do not match {wanted[-1]}: {entry.msgid!r}"
            )
    return errors


def _mo_path(po_path: Path) -> Path:
    return po_path.with_suffix(".mo")


def _entry_key(entry) -> tuple:
    return (entry.msgctxt or "", entry.msgid, entry.msgid_plural or "")


def _translations(entries) -> dict[tuple, tuple]:
    result = {}
    for e in entries:
        if e.msgid == "":  # the header
            continue
        if e.msgid_plural:
            value = tuple(e.msgstr_plural[i] for i in sorted(e.msgstr_plural))
        else:
            value = (e.msgstr,)
        result[_entry_key(e)] = value
    return result


def mo_is_current(po_path: Path) -> bool:
    """The .mo holds exactly the translated entries and header of the .po.

    Compared by content, not by time: git does not keep modification times, and a
    .mo compiled by GNU msgfmt instead of polib is just as good."""
    mo_path = _mo_path(po_path)
    if not mo_path.exists():
        return False
    po = polib.pofile(str(po_path))
    try:
        mo = polib.mofile(str(mo_path))
    except (OSError, ValueError):
        return False
    return _translations(po.translated_entries()) == _translations(mo) and dict(
        po.metadata
    ) == dict(mo.metadata)


def compile_catalogs(locale_dir: Path = LOCALE_DIR) -> tuple[list[Path], list[str]]:
    """Compile each .po to its .mo (rewritten only when the content changes).

    Returns (written .mo paths, errors); a catalog with a placeholder error is
    not compiled, like ``msgfmt --check-format``."""
    written, errors = [], []
    for po_path in catalogs(locale_dir):
        po = polib.pofile(str(po_path))
        problems = [e for entry in po for e in _format_errors(entry)]
        if problems:
            errors += [f"{po_path}: {p}" for p in problems]
            continue
        data = po.to_binary()
        mo_path = _mo_path(po_path)
        if not mo_path.exists() or mo_path.read_bytes() != data:
            mo_path.write_bytes(data)
            written.append(mo_path)
    return written, errors


def check_catalogs(
    locale_dir: Path = LOCALE_DIR, complete: tuple[str, ...] = COMPLETE_LOCALES
) -> list[str]:
    """Everything wrong with the catalogs, one line each; [] when all is well."""
    problems = []
    found = {p.parent.parent.name: p for p in catalogs(locale_dir)}
    for locale in complete:
        if locale not in found:
            problems.append(f"{locale}: no {DOMAIN}.po under {locale_dir}")
    for locale, po_path in found.items():
        po = polib.pofile(str(po_path))
        where = po_path.relative_to(ROOT) if ROOT in po_path.parents else po_path
        if locale in complete:
            if po.metadata_is_fuzzy:
                problems.append(f"{where}: the header is marked fuzzy")
            for entry in po:
                if entry.obsolete:
                    continue
                if entry.fuzzy:
                    problems.append(f"{where}: fuzzy: {entry.msgid!r}")
                elif not entry.translated():
                    problems.append(f"{where}: untranslated: {entry.msgid!r}")
            wanted = PLURAL_FORMS.get(locale)
            if wanted and po.metadata.get("Plural-Forms", "").replace(" ", "") != wanted.replace(
                " ", ""
            ):
                problems.append(
                    f"{where}: header Plural-Forms is {po.metadata.get('Plural-Forms')!r}, "
                    f"expected {wanted!r}"
                )
        problems += [f"{where}: {p}" for entry in po for p in _format_errors(entry)]
        if not mo_is_current(po_path):
            problems.append(
                f"{where}: the .mo is missing or out of date; run `python -m govbuy.core.i18n compile`"
            )
    return problems


def apply_translations(
    files: list[Path], locale: str = "zh_Hans", locale_dir: Path = LOCALE_DIR
) -> tuple[int, list[str]]:
    """Set msgstr from JSON files mapping msgid → msgstr (a list of forms for a
    plural entry; a key "ctxt\x04msgid" for a msgctxt). Returns (entries
    changed, msgids found in no entry — run makemessages first)."""
    import json

    po_path = locale_dir / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    po = polib.pofile(str(po_path))
    index = {((e.msgctxt + "\x04") if e.msgctxt else "") + e.msgid: e for e in po}
    changed, missing = 0, []
    for path in files:
        for key, value in json.loads(Path(path).read_text(encoding="utf-8")).items():
            entry = index.get(key)
            if entry is None or entry.obsolete:
                missing.append(f"{path}: {key!r}")
                continue
            if entry.msgid_plural:
                forms = value if isinstance(value, list) else [value]
                new = {i: forms[min(i, len(forms) - 1)] for i in range(len(forms))}
                if entry.msgstr_plural != new:
                    entry.msgstr_plural = new
                    changed += 1
            elif entry.msgstr != value:
                entry.msgstr = value
                changed += 1
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
                changed += 1
    if changed:
        po.save(str(po_path))
    return changed, missing


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args == ["compile"]:
        written, errors = compile_catalogs()
        for path in written:
            print(f"compiled {path}")
        for error in errors:
            print(error, file=sys.stderr)
        if not errors:
            print(f"{len(catalogs())} catalog(s) up to date")
        return 1 if errors else 0
    if args == ["check"]:
        problems = check_catalogs()
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print(f"{len(problems)} problem(s) in the message catalogs", file=sys.stderr)
            return 1
        print("message catalogs complete and compiled")
        return 0
    if len(args) >= 2 and args[0] == "apply":
        changed, missing = apply_translations([Path(a) for a in args[1:]])
        for m in missing:
            print(f"not in the catalog (run makemessages first): {m}", file=sys.stderr)
        print(f"{changed} entr{'y' if changed == 1 else 'ies'} changed")
        return main(["compile"]) or (1 if missing else 0)
    print("usage: python -m govbuy.core.i18n compile|check|apply FILE…", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
