"""One check for every uploaded attachment (bids, contracts, reports).

The type is decided by the bytes, never by the client's name or Content-Type:
the `filetype` package reads the magic numbers, and two containers are
opened further because their magic alone does not say what they hold:

- a ZIP is Word, Excel or PowerPoint (OOXML) only if its central directory
  lists ``[Content_Types].xml`` and exactly one of the ``word/``, ``xl/``,
  ``ppt/`` part folders (filetype looks only at the first few local headers,
  so it calls a valid file whose parts come in another order a plain ZIP);
- an OLE compound file (legacy .doc/.xls/.ppt, but also .msi installers and
  password-protected Office files) is told apart by the streams at its root
  (``WordDocument``, ``Workbook``/``Book``, ``PowerPoint Document``);
  filetype guesses from whatever happens to sit in the sector after the header.

Neither container is extracted: only directories are read, so a ZIP bomb
costs nothing. The file's extension must then name the same kind.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
import zipfile
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from govbuy.core.errors import ApplicationError

MAX_NAME_LENGTH = 200
CHUNK_SIZE = 64 * 1024
HEAD_SIZE = 8192  # what filetype reads at most

OOXML_MIME = "application/vnd.openxmlformats-officedocument"


@dataclass(frozen=True)
class Kind:
    mime: str
    extensions: tuple[str, ...]  # first one is the usual
    label: str  # product name, the same in every language
    description: Promise  # "a PDF document": what "its content is …" says


KINDS: dict[str, Kind] = {
    "pdf": Kind("application/pdf", ("pdf",), "PDF", gettext_lazy("a PDF document")),
    "docx": Kind(
        f"{OOXML_MIME}.wordprocessingml.document",
        ("docx",),
        "Word",
        gettext_lazy("a Word document (.docx)"),
    ),
    "xlsx": Kind(
        f"{OOXML_MIME}.spreadsheetml.sheet",
        ("xlsx",),
        "Excel",
        gettext_lazy("an Excel workbook (.xlsx)"),
    ),
    "pptx": Kind(
        f"{OOXML_MIME}.presentationml.presentation",
        ("pptx",),
        "PowerPoint",
        gettext_lazy("a PowerPoint presentation (.pptx)"),
    ),
    "doc": Kind(
        "application/msword", ("doc",), "Word", gettext_lazy("a Word 97–2003 document (.doc)")
    ),
    "xls": Kind(
        "application/vnd.ms-excel",
        ("xls",),
        "Excel",
        gettext_lazy("an Excel 97–2003 workbook (.xls)"),
    ),
    "ppt": Kind(
        "application/vnd.ms-powerpoint",
        ("ppt",),
        "PowerPoint",
        gettext_lazy("a PowerPoint 97–2003 presentation (.ppt)"),
    ),
    "png": Kind("image/png", ("png",), "PNG", gettext_lazy("a PNG image")),
    "jpeg": Kind("image/jpeg", ("jpg", "jpeg"), "JPEG", gettext_lazy("a JPEG image")),
    "gif": Kind("image/gif", ("gif",), "GIF", gettext_lazy("a GIF image")),
}

IMAGE_KINDS: tuple[str, ...] = ("png", "jpeg")
DOCUMENT_KINDS: tuple[str, ...] = ("pdf", "docx", "xlsx", "pptx", "doc", "xls", "ppt", *IMAGE_KINDS)

# filetype's extension → our kind, where the bytes alone decide.
_FILETYPE_KINDS = {"pdf": "pdf", "png": "png", "apng": "png", "jpg": "jpeg", "gif": "gif"}

# What other content is, in words a provider's clerk understands.
_FILETYPE_DESCRIPTIONS = {
    "exe": gettext_lazy("a Windows program"),
    "elf": gettext_lazy("a Linux program"),
    "zip": gettext_lazy("a ZIP archive"),
    **dict.fromkeys(
        (
            "rar",
            "7z",
            "gz",
            "bz2",
            "xz",
            "tar",
            "zst",
            "lz",
            "lz4",
            "lzo",
            "Z",
            "cab",
            "rpm",
            "deb",
        ),
        gettext_lazy("a compressed archive"),
    ),
}


@dataclass(frozen=True)
class CheckedUpload:
    name: str  # cleaned original name: no path, no control characters, ≤ 200 chars
    kind: str  # a key of KINDS
    content_type: str  # detected from the bytes, never the client's claim
    size: int
    sha256: str


def allowed_label(kinds: tuple[str, ...] = DOCUMENT_KINDS) -> str:
    """'PDF, Word, Excel, PowerPoint, PNG, JPEG': for forms and refusals."""
    labels = dict.fromkeys(KINDS[kind].label for kind in kinds)
    return pgettext("list separator", ", ").join(labels)


def accept_attribute(kinds: tuple[str, ...] = DOCUMENT_KINDS) -> str:
    """The value of ``<input type="file" accept="…">``: extensions, which every browser honours."""
    return ",".join(f".{ext}" for kind in kinds for ext in KINDS[kind].extensions)


ACCEPT_ATTRIBUTE = accept_attribute(DOCUMENT_KINDS)


def check_upload(
    file: UploadedFile,
    *,
    field: str = "attachment",
    max_bytes: int | None = None,
    allowed: tuple[str, ...] = DOCUMENT_KINDS,
) -> CheckedUpload:
    """Accept ``file`` if its content is one of ``allowed`` and its extension says the same.

    ``file`` is a Django ``UploadedFile`` or any binary file-like object with
    ``name``, ``size``, ``read`` and ``seek``. It is left at position 0.
    Raises ``ApplicationError("upload_refused", field=field)`` otherwise.
    """
    unknown = [kind for kind in allowed if kind not in KINDS]
    if unknown:
        raise ValueError(f"unknown upload kinds: {unknown}")
    limit = settings.GOVBUY_UPLOAD_MAX_BYTES if max_bytes is None else max_bytes
    name = clean_name(getattr(file, "name", "") or "")
    display = name or _("The file")

    def refuse(message: str):
        raise ApplicationError("upload_refused", message, field=field)

    def refuse_size(size: int):
        refuse(
            _("%(name)s is %(size)s; at most %(limit)s.")
            % {"name": display, "size": _megabytes(size, up=True), "limit": _megabytes(limit)}
        )

    # Cheap refusals first: nothing is read for a file that is too big or misnamed.
    declared = getattr(file, "size", None)
    if declared == 0:
        refuse(_("%(name)s is empty.") % {"name": display})
    if declared is not None and declared > limit:
        refuse_size(declared)

    expected = _kind_for_extension(name, allowed)
    if expected is None:
        extension = _extension(name)
        if not extension:
            refuse(
                _(
                    "%(name)s has no file extension, so its type cannot be checked. "
                    "Allowed: %(allowed)s."
                )
                % {"name": display, "allowed": allowed_label(allowed)}
            )
        refuse(
            _("%(name)s: files ending in .%(extension)s are not accepted. Allowed: %(allowed)s.")
            % {"name": display, "extension": extension, "allowed": allowed_label(allowed)}
        )

    # One pass: hash, count (the declared size is the client's word) and keep the head.
    digest, size, head = hashlib.sha256(), 0, b""
    file.seek(0)
    while chunk := file.read(CHUNK_SIZE):
        size += len(chunk)
        if size > limit:
            file.seek(0)
            refuse_size(size)
        digest.update(chunk)
        if len(head) < HEAD_SIZE:
            head += chunk[: HEAD_SIZE - len(head)]
    file.seek(0)
    if size == 0:
        refuse(_("%(name)s is empty.") % {"name": display})

    try:
        detected, description = _detect(file, head)
    finally:
        file.seek(0)
    if detected != expected:
        refuse(
            _("%(name)s is not %(expected)s: its content is %(actual)s. Allowed: %(allowed)s.")
            % {
                "name": display,
                "expected": KINDS[expected].description,
                "actual": description,
                "allowed": allowed_label(allowed),
            }
        )
    return CheckedUpload(
        name=name,
        kind=detected,
        content_type=KINDS[detected].mime,
        size=size,
        sha256=digest.hexdigest(),
    )


# --- names ------------------------------------------------------------------------

_WINDOWS_RESERVED = re.compile(r'[<>:"|?*]')
_DROPPED_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}  # controls, invisible formatting, separators


def clean_name(raw: str) -> str:
    """The last path part, without control or invisible formatting characters
    (U+202E would show 'exe.pdf' as 'fdp.exe'), at most 200 characters, extension kept."""
    name = unicodedata.normalize("NFC", str(raw)).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in _DROPPED_CATEGORIES)
    # Leading dots would hide the file; Windows drops trailing dots and spaces.
    name = _WINDOWS_RESERVED.sub("_", name).strip(" .")
    if len(name) > MAX_NAME_LENGTH:
        stem, _dot, extension = name.rpartition(".")
        if stem and len(extension) <= 16:
            name = f"{stem[: MAX_NAME_LENGTH - len(extension) - 1].rstrip(' .')}.{extension}"
        else:
            name = name[:MAX_NAME_LENGTH]
    return name


def _extension(name: str) -> str:
    return name.rpartition(".")[2].lower() if "." in name else ""


def _kind_for_extension(name: str, allowed: tuple[str, ...]) -> str | None:
    extension = _extension(name)
    return next((kind for kind in allowed if extension in KINDS[kind].extensions), None)


# --- content ----------------------------------------------------------------------


class _Damaged(Exception):
    """A container whose directory cannot be read."""


def _detect(file, head: bytes) -> tuple[str | None, Promise | str]:
    """(kind or None, what the content is in words)."""
    guess = filetype.guess(head)
    if head.startswith(_OLE_MAGIC):
        return _detect_ole(file)
    if guess is not None and (guess.extension == "zip" or guess.mime.startswith(OOXML_MIME)):
        return _detect_ooxml(file)
    if guess is not None:
        kind = _FILETYPE_KINDS.get(guess.extension)
        if kind:
            return kind, KINDS[kind].description
        description = _FILETYPE_DESCRIPTIONS.get(guess.extension)
        return None, description or _("a .%(extension)s file") % {"extension": guess.extension}
    return None, _describe_text(head)


_OOXML_FOLDERS = {"word": "docx", "xl": "xlsx", "ppt": "pptx"}


def _detect_ooxml(file) -> tuple[str | None, Promise | str]:
    try:
        # Reads the central directory only; nothing is decompressed.
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
    except Exception:  # any garbage after "PK": bad offsets, truncation, odd headers
        return None, _("a damaged or incomplete ZIP archive")
    folders = {name.split("/", 1)[0] for name in names if "/" in name}
    kinds = [kind for folder, kind in _OOXML_FOLDERS.items() if folder in folders]
    if "[Content_Types].xml" in names and len(kinds) == 1:
        return kinds[0], KINDS[kinds[0]].description
    return None, _FILETYPE_DESCRIPTIONS["zip"]


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OLE_STREAMS = {
    "worddocument": "doc",
    "workbook": "xls",
    "book": "xls",  # Excel 5/95
    "powerpoint document": "ppt",
}


def _detect_ole(file) -> tuple[str | None, Promise | str]:
    try:
        streams = _ole_root_streams(file)
    except Exception:  # any garbage after the magic: bad sector numbers, truncation
        return None, _("a damaged or incomplete Office 97–2003 file")
    if "encryptedpackage" in streams:
        return None, _("a password-protected Office file (remove the password and upload again)")
    kinds = {_OLE_STREAMS[name] for name in streams if name in _OLE_STREAMS}
    if len(kinds) == 1:
        kind = kinds.pop()
        return kind, KINDS[kind].description
    return None, _("a compound file that is not Word, Excel or PowerPoint (such as an installer)")


_MAX_REGULAR_SECTOR = 0xFFFFFFF9  # higher numbers mark free sectors and chain ends


def _ole_root_streams(file) -> set[str]:
    """Lower-case names of the streams at the root of a compound file (MS-CFB).

    Only the root's children count: a Word file that embeds a workbook keeps
    that ``Workbook`` stream in a storage of its own. Every chain is followed
    with a visited set, and every read must lie inside the file, so a crafted
    file cannot loop or make us read beyond it.
    """

    def read_at(offset: int, length: int) -> bytes:
        file.seek(offset)
        data = file.read(length)
        if len(data) != length:
            raise _Damaged
        return data

    def u16(data: bytes, offset: int) -> int:
        return int.from_bytes(data[offset : offset + 2], "little")

    def u32(data: bytes, offset: int) -> int:
        return int.from_bytes(data[offset : offset + 4], "little")

    header = read_at(0, 512)
    shift = u16(header, 30)
    if shift not in (9, 12):
        raise _Damaged
    sector_size = 1 << shift
    per_sector = sector_size // 4
    cache: dict[int, bytes] = {}

    def sector(number: int) -> bytes:
        if number > _MAX_REGULAR_SECTOR:
            raise _Damaged
        if number not in cache:
            cache[number] = read_at((number + 1) * sector_size, sector_size)
        return cache[number]

    def follow(start: int):
        seen = set()
        number = start
        while number <= _MAX_REGULAR_SECTOR:
            if number in seen:
                raise _Damaged
            seen.add(number)
            yield number
            number = next_sector(number)

    # Where the FAT lives: 109 sector numbers in the header, the rest in DIFAT sectors.
    fat_count = u32(header, 44)
    fat_sectors = [u32(header, offset) for offset in range(76, 512, 4)]
    difat, seen_difat = u32(header, 68), set()
    while difat <= _MAX_REGULAR_SECTOR and len(fat_sectors) < fat_count:
        if difat in seen_difat:
            raise _Damaged
        seen_difat.add(difat)
        data = sector(difat)
        fat_sectors += [u32(data, offset) for offset in range(0, sector_size - 4, 4)]
        difat = u32(data, sector_size - 4)
    fat_sectors = fat_sectors[:fat_count]

    def next_sector(number: int) -> int:
        index, slot = divmod(number, per_sector)
        if index >= len(fat_sectors):
            raise _Damaged
        return u32(sector(fat_sectors[index]), slot * 4)

    entries = []
    for number in follow(u32(header, 48)):
        data = sector(number)
        entries += [data[offset : offset + 128] for offset in range(0, sector_size, 128)]
    if not entries or entries[0][66] != 5:  # entry 0 is the root storage
        raise _Damaged
    names: set[str] = set()
    pending, visited = [u32(entries[0], 76)], set()
    while pending:
        index = pending.pop()
        if index >= len(entries) or index in visited:  # 0xFFFFFFFF: no entry
            continue
        visited.add(index)
        entry = entries[index]
        pending += [u32(entry, 68), u32(entry, 72)]  # left and right siblings
        name_length = u16(entry, 64)
        if entry[66] == 2 and 2 <= name_length <= 64 and name_length % 2 == 0:
            names.add(entry[: name_length - 2].decode("utf-16-le", "replace").lower())
    return names


_MARKUP = (b"<!doctype html", b"<html", b"<head", b"<body", b"<script", b"<iframe")


def _describe_text(head: bytes) -> Promise | str:
    """What unrecognised content is: a disguised web page or script is named as such."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"<svg" in start[:1024]:
        return _("an SVG image (which can carry scripts)")
    if any(marker in start[:1024] for marker in _MARKUP):
        return _("a web page (HTML)")
    if start.startswith(b"#!"):
        return _("a script")
    if b"\x00" not in head:
        return _("plain text")
    return _("of an unknown type")


def _megabytes(size: int, *, up: bool = False) -> str:
    """25.3 MB (a size is rounded up and a limit down, so they never look equal)."""
    if size < 1024 * 1024:
        value, unit = size / 1024, "KB"
    else:
        value, unit = size / (1024 * 1024), "MB"
    tenths = math.ceil(value * 10) if up else math.floor(value * 10)
    return f"{tenths / 10:.1f}".removesuffix(".0") + " " + unit
