"""Attachments: the bytes decide the type, the extension must agree, and
anything else — disguised programs, pages, archives, damaged or huge files —
is refused with a message that says what it is and what is allowed.

Every sample is built here, small and real: a PDF with its xref table, OOXML
packages with their parts, a PNG with valid chunks, compound (OLE) files laid
out as MS-CFB prescribes."""

import hashlib
import io
import random
import struct
import zipfile
import zlib

import filetype
import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.utils import translation

from govbuy.core.errors import ApplicationError
from govbuy.core.uploads import (
    ACCEPT_ATTRIBUTE,
    DOCUMENT_KINDS,
    IMAGE_KINDS,
    CheckedUpload,
    allowed_label,
    check_upload,
    clean_name,
)

MB = 1024 * 1024
ALLOWED = "Allowed: PDF, Word, Excel, PowerPoint, PNG, JPEG."


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


# --- samples ----------------------------------------------------------------------


def pdf_bytes() -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def package(parts: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return buffer.getvalue()


CT = "http://schemas.openxmlformats.org/package/2006/content-types"
OFFICE_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"


def content_types(main_part: str, main_type: str) -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="{CT}">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/{main_part}" ContentType="{main_type}"/></Types>'
    )


def root_rels(main_part: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{OFFICE_DOC}" Target="{main_part}"/></Relationships>'
    )


def docx_bytes() -> bytes:
    main = "word/document.xml"
    return package(
        {
            "[Content_Types].xml": content_types(
                main,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
            ),
            "_rels/.rels": root_rels(main),
            main: '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>投标文件</w:t></w:r></w:p></w:body></w:document>",
        }
    )


def pptx_bytes() -> bytes:
    main = "ppt/presentation.xml"
    return package(
        {
            "[Content_Types].xml": content_types(
                main,
                "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
            ),
            "_rels/.rels": root_rels(main),
            main: '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<p:presentation xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"/>',
        }
    )


def xlsx_bytes() -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active["A1"] = "预算"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1×1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def jpeg_bytes() -> bytes:
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    return b"\xff\xd8\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0 + b"\xff\xd9"


def gif_bytes() -> bytes:
    return (
        b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff"
        b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
    )


SECTOR = 512
END_OF_CHAIN, FAT_SECTOR, NO_ENTRY = 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
WORD_FIB = b"\xec\xa5\xc1\x00"  # what a WordDocument stream starts with


def ole_bytes(
    streams: dict[str, bytes],
    *,
    storages: dict[str, dict[str, bytes]] | None = None,
    data_first: bool = False,
) -> bytes:
    """An MS-CFB version 3 file: root-level ``streams``, and ``storages`` holding
    streams of their own. Streams of 4096 bytes or more live in regular sectors.
    ``data_first`` puts stream data right after the header (as Word does), else
    the FAT comes first (as other writers do)."""
    entries = [{"name": "Root Entry", "type": 5, "child": NO_ENTRY}]

    def add_level(items: dict, parent: int):
        previous = None
        for name, value in items.items():
            index = len(entries)
            if isinstance(value, dict):
                entries.append({"name": name, "type": 1, "child": NO_ENTRY})
                add_level(value, index)
            else:
                entries.append({"name": name, "type": 2, "child": NO_ENTRY, "data": value})
            if previous is None:
                entries[parent]["child"] = index
            else:
                entries[previous]["right"] = index
            previous = index

    add_level({**streams, **(storages or {})}, 0)
    data_sectors = sum(-(-len(e.get("data", b"")) // SECTOR) for e in entries)
    dir_sectors = -(-len(entries) // (SECTOR // 128))
    first_data = 0 if data_first else 1 + dir_sectors
    fat_at = data_sectors if data_first else 0
    first_dir = fat_at + 1
    total = data_sectors + 1 + dir_sectors
    assert total <= SECTOR // 4
    fat = [0xFFFFFFFF] * (SECTOR // 4)
    fat[fat_at] = FAT_SECTOR
    for number in range(first_dir, first_dir + dir_sectors):
        fat[number] = number + 1
    fat[first_dir + dir_sectors - 1] = END_OF_CHAIN
    data = bytearray()
    next_data = first_data
    for entry in entries:
        payload = entry.get("data", b"")
        count = -(-len(payload) // SECTOR)
        entry["start"] = next_data if count else END_OF_CHAIN
        for number in range(next_data, next_data + count):
            fat[number] = number + 1 if number < next_data + count - 1 else END_OF_CHAIN
        data += payload.ljust(count * SECTOR, b"\x00")
        next_data += count

    directory = bytearray()
    for entry in entries:
        name = entry["name"].encode("utf-16-le") + b"\x00\x00"
        directory += struct.pack(
            "<64sHBBIII16sIQQIQ",
            name,
            len(name),
            entry["type"],
            1,  # black
            NO_ENTRY,
            entry.get("right", NO_ENTRY),
            entry["child"],
            b"\x00" * 16,
            0,
            0,
            0,
            entry.get("start", END_OF_CHAIN) if entry["type"] == 2 else END_OF_CHAIN,
            len(entry.get("data", b"")),
        )
    directory = directory.ljust(dir_sectors * SECTOR, b"\x00")

    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        b"\x00" * 16,
        0x3E,
        3,
        0xFFFE,
        9,
        6,
        b"\x00" * 6,
        0,
        1,  # FAT sectors
        first_dir,
        0,
        4096,
        END_OF_CHAIN,
        0,
        END_OF_CHAIN,
        0,
    )
    header += struct.pack("<I", fat_at) + b"\xff" * (4 * 108)
    fat_bytes = struct.pack(f"<{len(fat)}I", *fat)
    if data_first:
        body = bytes(data) + fat_bytes + directory
    else:
        body = fat_bytes + directory + bytes(data)
    return header + body


def doc_bytes(**layout) -> bytes:
    return ole_bytes(
        {"WordDocument": WORD_FIB + b"\x00" * 4092, "1Table": b"\x00" * 4096}, **layout
    )


def xls_bytes() -> bytes:
    return ole_bytes({"Workbook": b"\x09\x08\x10\x00\x00\x06\x05\x00" + b"\x00" * 4088})


def ppt_bytes() -> bytes:
    return ole_bytes(
        {"PowerPoint Document": b"\x0f\x00\xe8\x03" + b"\x00" * 4092, "Current User": b"\0" * 4096}
    )


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def refusal(name: str, content: bytes, **options) -> str:
    with pytest.raises(ApplicationError) as caught:
        check_upload(upload(name, content), **options)
    assert caught.value.code == "upload_refused"
    return caught.value.message


# --- accepted ---------------------------------------------------------------------

ACCEPTED = [
    ("标书.pdf", pdf_bytes, "pdf", "application/pdf"),
    (
        "合同.docx",
        docx_bytes,
        "docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    (
        "预算.XLSX",
        xlsx_bytes,
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    (
        "汇报.pptx",
        pptx_bytes,
        "pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    ("old.doc", doc_bytes, "doc", "application/msword"),
    ("old.xls", xls_bytes, "xls", "application/vnd.ms-excel"),
    ("old.ppt", ppt_bytes, "ppt", "application/vnd.ms-powerpoint"),
    ("scan.png", png_bytes, "png", "image/png"),
    ("photo.jpg", jpeg_bytes, "jpeg", "image/jpeg"),
    ("photo.jpeg", jpeg_bytes, "jpeg", "image/jpeg"),
]


@pytest.mark.parametrize(("name", "make", "kind", "mime"), ACCEPTED)
def test_each_allowed_kind_is_accepted_with_its_detected_type(name, make, kind, mime):
    content = make()
    file = upload(name, content)
    file.content_type = "text/html"  # the client's claim plays no part

    checked = check_upload(file)

    assert checked == CheckedUpload(
        name=name,
        kind=kind,
        content_type=mime,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


def test_a_file_on_disk_is_checked_and_left_at_the_start():
    content = docx_bytes()
    file = TemporaryUploadedFile("contract.docx", "application/octet-stream", len(content), None)
    file.write(content)
    file.flush()
    try:
        checked = check_upload(file)
        assert checked.kind == "docx"
        assert file.tell() == 0
        assert file.read() == content
    finally:
        file.close()


def test_sha256_is_of_all_chunks_and_position_is_reset():
    content = pdf_bytes() + b"%" + b"x" * (3 * 64 * 1024 + 17)  # several chunks
    file = upload("big.pdf", content)
    file.read(100)  # a caller that already peeked

    checked = check_upload(file)

    assert checked.sha256 == hashlib.sha256(content).hexdigest()
    assert checked.size == len(content)
    assert file.tell() == 0


def test_position_is_reset_after_a_refusal_too():
    file = upload("report.pdf", b"MZ" + b"\x00" * 200)
    with pytest.raises(ApplicationError):
        check_upload(file)
    assert file.tell() == 0


def test_a_plain_file_object_works():
    class Plain(io.BytesIO):
        name = "dir/scan.png"
        size = len(png_bytes())

    assert check_upload(Plain(png_bytes())).name == "scan.png"


def test_gif_only_when_asked_for():
    assert "gif" not in DOCUMENT_KINDS
    assert "files ending in .gif are not accepted" in refusal("a.gif", gif_bytes())
    assert check_upload(upload("a.gif", gif_bytes()), allowed=("gif",)).content_type == "image/gif"


def test_images_only():
    assert check_upload(upload("a.png", png_bytes()), allowed=IMAGE_KINDS).kind == "png"
    message = refusal("a.pdf", pdf_bytes(), allowed=IMAGE_KINDS)
    assert message == "a.pdf: files ending in .pdf are not accepted. Allowed: PNG, JPEG."


def test_unknown_kind_in_allowed_is_a_programming_error():
    with pytest.raises(ValueError):
        check_upload(upload("a.pdf", pdf_bytes()), allowed=("pdf", "exe"))


# --- what filetype alone gets wrong, and we get right ---------------------------------


def test_ooxml_whose_parts_come_late_is_still_recognised():
    """filetype looks for word/, xl/, ppt/ only in the first few local headers."""
    parts = {
        "[Content_Types].xml": content_types("xl/workbook.xml", "application/xml"),
        "_rels/.rels": root_rels("xl/workbook.xml"),
        "docProps/app.xml": "<Properties/>",
        "docProps/core.xml": "<coreProperties/>",
        "docProps/custom.xml": "<Properties/>",
        "customXml/item1.xml": "<x/>",
        "xl/workbook.xml": "<workbook/>",
    }
    content = package(parts)
    assert filetype.guess(content).extension == "zip"

    assert check_upload(upload("budget.xlsx", content)).kind == "xlsx"


def test_legacy_office_is_told_apart_by_its_streams_not_by_the_first_sector():
    """filetype's doc/xls/ppt matchers read the sector after the header; when a
    writer puts the FAT there, filetype 1.2 calls a Word file, an Excel file and
    an encrypted package alike "ppt"."""
    word_first = doc_bytes(data_first=True)
    fat_first = doc_bytes()
    assert filetype.guess(word_first).extension == "doc"
    assert filetype.guess(fat_first).extension == "ppt"
    assert filetype.guess(xls_bytes()).extension == "ppt"

    assert check_upload(upload("a.doc", word_first)).kind == "doc"
    assert check_upload(upload("a.doc", fat_first)).kind == "doc"


def test_a_word_file_embedding_a_workbook_is_still_word():
    content = ole_bytes(
        {"WordDocument": WORD_FIB + b"\x00" * 4092},
        storages={"ObjectPool": {"Workbook": b"\x00" * 4096}},
    )
    assert check_upload(upload("with-table.doc", content)).kind == "doc"


# --- disguises --------------------------------------------------------------------

EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48 + b"PE\x00\x00" * 10
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 8 + b"\x02\x00\x3e\x00" + b"\x00" * 100
HTML = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"


def test_exe_renamed_pdf():
    assert refusal("report.exe.pdf", EXE) == (
        f"report.exe.pdf is not a PDF document: its content is a Windows program. {ALLOWED}"
    )


def test_elf_renamed_docx():
    assert refusal("a.docx", ELF) == (
        f"a.docx is not a Word document (.docx): its content is a Linux program. {ALLOWED}"
    )


def test_html_renamed_docx():
    message = refusal("a.docx", b"\xef\xbb\xbf\n  " + HTML)
    assert "its content is a web page (HTML)" in message


def test_svg_renamed_png():
    svg = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'
    assert "its content is an SVG image" in refusal("a.png", svg)


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"#!/bin/sh\nrm -rf /\n", "a script"),
        (b"powershell -enc AAAA\r\n", "plain text"),
        (bytes(range(256)) * 4, "of an unknown type"),
    ],
)
def test_scripts_text_and_noise_renamed(content, what):
    assert f"its content is {what}." in refusal("invoice.pdf", content)


def test_zip_renamed_xlsx_without_ooxml_parts():
    content = package({"data/a.csv": "1,2", "readme.txt": "hi"})
    assert refusal("budget.xlsx", content) == (
        f"budget.xlsx is not an Excel workbook (.xlsx): its content is a ZIP archive. {ALLOWED}"
    )


def test_ooxml_needs_both_content_types_and_its_part_folder():
    without_types = package({"xl/workbook.xml": "<workbook/>"})
    assert "ZIP archive" in refusal("a.xlsx", without_types)
    without_folder = package({"[Content_Types].xml": "<Types/>", "other/x.xml": "<x/>"})
    assert "ZIP archive" in refusal("a.xlsx", without_folder)
    both_folders = package({"[Content_Types].xml": "<Types/>", "xl/a.xml": "", "word/b.xml": ""})
    assert "ZIP archive" in refusal("a.docx", both_folders)


def test_the_wrong_office_kind_is_refused():
    assert "its content is a Word document (.docx)" in refusal("a.xlsx", docx_bytes())
    assert "its content is an Excel workbook (.xlsx)" in refusal("a.pptx", xlsx_bytes())
    assert "its content is a Word 97–2003 document (.doc)" in refusal("a.docx", doc_bytes())
    assert "its content is an Excel 97–2003 workbook (.xls)" in refusal("a.xlsx", xls_bytes())
    assert "its content is a PowerPoint 97–2003 presentation (.ppt)" in refusal(
        "a.pdf", ppt_bytes()
    )


def test_pdf_renamed_png():
    assert refusal("scan.png", pdf_bytes()) == (
        f"scan.png is not a PNG image: its content is a PDF document. {ALLOWED}"
    )


def test_png_renamed_jpg():
    assert "is not a JPEG image: its content is a PNG image." in refusal("a.jpg", png_bytes())


def test_compound_files_that_are_not_office():
    installer = ole_bytes(
        {"\u4840\u3b3f\u4577": b"\x00" * 4096, "SummaryInformation": b"\0" * 4096}
    )
    assert "not Word, Excel or PowerPoint (such as an installer)" in refusal("a.doc", installer)
    encrypted = ole_bytes({"EncryptedPackage": b"\x00" * 4096, "EncryptionInfo": b"\0" * 4096})
    assert "password-protected Office file" in refusal("a.docx", encrypted)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("setup.exe", f"setup.exe: files ending in .exe are not accepted. {ALLOWED}"),
        ("report.pdf.exe", f"report.pdf.exe: files ending in .exe are not accepted. {ALLOWED}"),
        (
            "README",
            f"README has no file extension, so its type cannot be checked. {ALLOWED}",
        ),
    ],
)
def test_extension_not_allowed(name, message):
    assert refusal(name, pdf_bytes()) == message


# --- size -------------------------------------------------------------------------


class Huge:
    """Says it is big; reading it would be a mistake."""

    name = "scan.pdf"
    size = int(25.3 * MB)

    def read(self, *args):
        raise AssertionError("the size must be checked before reading")

    def seek(self, *args):
        raise AssertionError("the size must be checked before reading")


def test_oversize_is_refused_before_reading(settings):
    settings.GOVBUY_UPLOAD_MAX_BYTES = 20 * MB
    with pytest.raises(ApplicationError) as caught:
        check_upload(Huge(), field="bid_file")
    assert caught.value.message == "scan.pdf is 25.3 MB; at most 20 MB."
    assert caught.value.as_body() == {
        "code": "upload_refused",
        "errors": [{"field": "bid_file", "message": "scan.pdf is 25.3 MB; at most 20 MB."}],
    }
    assert caught.value.status == 422


def test_max_bytes_overrides_the_setting():
    content = pdf_bytes()
    message = refusal("a.pdf", content, max_bytes=len(content) - 1)
    assert message.startswith("a.pdf is ") and "; at most " in message
    assert check_upload(upload("a.pdf", content), max_bytes=len(content)).size == len(content)


def test_a_file_that_understates_its_size_is_stopped_while_reading():
    content = pdf_bytes() + b"%" + b"x" * (2 * MB)
    file = upload("a.pdf", content)
    file.size = 10
    with pytest.raises(ApplicationError, match=r"a\.pdf is 1\.1 MB; at most 1 MB\."):
        check_upload(file, max_bytes=MB)
    assert file.tell() == 0


def test_size_shown_never_equals_the_limit():
    with pytest.raises(ApplicationError, match=r"is 1\.1 MB; at most 1 MB"):
        check_upload(upload("a.pdf", pdf_bytes() + b"x" * MB), max_bytes=MB)


def test_default_limit_is_20_mb(settings):
    assert settings.GOVBUY_UPLOAD_MAX_BYTES == 20 * MB


def test_empty_file():
    assert refusal("a.pdf", b"") == "a.pdf is empty."

    class Unsized(io.BytesIO):
        name = "b.pdf"
        size = None

    with pytest.raises(ApplicationError, match=r"b\.pdf is empty\."):
        check_upload(Unsized(b""))


# --- names ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\张三\\Desktop\\投标文件.pdf", "投标文件.pdf"),
        ("a\x00b\r\n.pdf", "ab.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # right-to-left override
        ("...hidden.pdf", "hidden.pdf"),
        ('a<b>:"c"|?*.pdf', "a_b___c____.pdf"),
        ("report.pdf. . ", "report.pdf"),
        ("e\u0301.pdf", "é.pdf"),
    ],
)
def test_clean_name(raw, clean):
    assert clean_name(raw) == clean


def test_path_traversal_name_is_cleaned_on_the_checked_upload():
    assert check_upload(upload("../../etc/passwd.pdf", pdf_bytes())).name == "passwd.pdf"


def test_long_names_keep_their_extension():
    cleaned = clean_name("长" * 300 + ".docx")
    assert len(cleaned) == 200
    assert cleaned.endswith("长.docx")
    assert len(clean_name("x" * 300)) == 200


def test_a_name_that_cleans_to_nothing():
    class Nameless(io.BytesIO):
        name = "../.."
        size = len(pdf_bytes())

    with pytest.raises(ApplicationError, match=r"^The file has no file extension"):
        check_upload(Nameless(pdf_bytes()))


# --- garbage never raises anything but a refusal ------------------------------------


def damaged_compound_files():
    good = doc_bytes()
    loop = bytearray(good)
    # The directory's chain points back at itself.
    fat_at = 512
    first_dir = struct.unpack_from("<I", good, 48)[0]
    struct.pack_into("<I", loop, fat_at + 4 * first_dir, first_dir)
    beyond = bytearray(good)
    struct.pack_into("<I", beyond, 48, 0xFFFFFFF0)  # directory far past the end
    shift = bytearray(good)
    struct.pack_into("<H", shift, 30, 30)
    return [bytes(loop), bytes(beyond), bytes(shift), good[:700]]


@pytest.mark.parametrize("content", damaged_compound_files())
def test_damaged_compound_files_are_refused(content):
    message = refusal("a.doc", content)
    assert "its content is a damaged or incomplete Office 97–2003 file." in message


def test_a_loop_in_the_directory_tree_ends():
    content = bytearray(doc_bytes())
    first_dir = struct.unpack_from("<I", content, 48)[0]
    # The root's first child names itself as its right sibling.
    struct.pack_into("<I", content, 512 * (first_dir + 1) + 128 + 72, 1)
    assert check_upload(upload("a.doc", bytes(content))).kind == "doc"


def test_truncated_and_mangled_samples_are_refused_or_accepted_never_crash():
    rng = random.Random(20250101)
    samples = [(name, make()) for name, make, _kind, _mime in ACCEPTED]
    for name, content in samples:
        cuts = {1, 2, 4, 8, 100, 513, len(content) // 2, len(content) - 1}
        variants = [content[:cut] for cut in cuts if 0 < cut < len(content)]
        for _ in range(30):
            mangled = bytearray(content)
            for _ in range(rng.randint(1, 20)):
                mangled[rng.randrange(len(mangled))] = rng.randrange(256)
            variants.append(bytes(mangled))
        for variant in variants:
            try:
                check_upload(upload(name, variant))
            except ApplicationError as error:
                assert error.code == "upload_refused"


def test_truncated_docx_is_refused_as_damaged():
    content = docx_bytes()
    message = refusal("a.docx", content[: len(content) // 2])
    assert "its content is a damaged or incomplete ZIP archive" in message


# --- for forms --------------------------------------------------------------------


def test_allowed_label_and_accept_attribute():
    assert allowed_label(DOCUMENT_KINDS) == "PDF, Word, Excel, PowerPoint, PNG, JPEG"
    assert allowed_label(IMAGE_KINDS) == "PNG, JPEG"
    assert ACCEPT_ATTRIBUTE == ".pdf,.docx,.xlsx,.pptx,.doc,.xls,.ppt,.png,.jpg,.jpeg"
