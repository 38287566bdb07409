"""Attachments: accepted by content (never by name), stored atomically under random names with
private permissions, refused with exact Swedish messages and without leaving anything behind."""

import asyncio
import hashlib
import io
import os
import re
import stat
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import filetype
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from app.applications.models import Application
from app.attachments import service
from app.attachments.models import Attachment
from app.attachments.service import (
    DOCX,
    EMPTY,
    JPEG,
    LABEL_MISSING,
    MISMATCH,
    ODT,
    PDF,
    PNG,
    UNSUPPORTED,
    XLSX,
    AllowedType,
)
from app.audit import service as audit
from app.audit.models import AuditEvent
from app.audit.service import Actor
from app.config import Settings
from app.core.forms import BAD_CHARACTERS, FieldError
from tests import files
from tests.factories import AreaSetup, make_application

MIB = 1024 * 1024

ALLOWED: list[tuple[Callable[[], bytes], str, AllowedType]] = [
    (files.pdf, "Budget 2026.pdf", PDF),
    (files.jpeg, "foto.jpg", JPEG),
    (files.png, "karta.png", PNG),
    (files.docx, "Styrelsebeslut.docx", DOCX),
    (files.xlsx, "budget.xlsx", XLSX),
    (files.odt, "offert.odt", ODT),
]


@pytest.fixture
def storage(tmp_path: Path) -> Path:
    # Not created yet: ``store`` must create it, privately.
    return tmp_path / "var" / "bilagor"


@pytest.fixture
def max_bytes(settings: Settings) -> int:
    assert settings.max_attachment_bytes == 10 * MIB
    return settings.max_attachment_bytes


def _store(db: Session, area: AreaSetup, storage: Path, max_bytes: int, **kwargs) -> Attachment:
    actor = kwargs.pop("actor", area.actor)
    arguments = {
        "application": kwargs.pop("application", None) or make_application(db, area),
        "label": "Budget",
        "filename": "budget.pdf",
        "data": files.pdf(),
        "storage_dir": storage,
        "max_bytes": max_bytes,
    } | kwargs
    return service.store(db, actor, **arguments)


def _rows(db: Session) -> tuple[int, int]:
    attachments = db.scalar(select(func.count()).select_from(Attachment))
    events = db.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.entity_type == "attachment")
    )
    return attachments, events


def _files_under(directory: Path) -> list[Path]:
    return sorted(path for path in directory.rglob("*") if path.is_file())


# --- detection ----------------------------------------------------------------------------


@pytest.mark.parametrize(("build", "expected"), [(b, t) for b, _, t in ALLOWED])
def test_each_allowed_type_is_detected_by_content(build, expected):
    assert service.detect(build()) == expected


@pytest.mark.parametrize(
    "build", [files.plain_zip, files.elf, files.pe, files.html, lambda: b"", lambda: b"%PD"]
)
def test_other_content_is_not_an_allowed_type(build):
    assert service.detect(build()) is None


def test_a_zip_named_like_word_parts_is_not_docx():
    # Why filetype alone is not enough: it calls any ZIP whose first member is under word/ DOCX.
    data = files.docx([("word/setup.exe", files.pe())])
    assert filetype.guess(data).extension == "docx"
    assert service.detect(data) is None


def test_a_docx_is_recognised_whatever_the_order_of_its_parts():
    # ...and it takes a real DOCX with a few parts ahead of word/ for a plain ZIP.
    content_types, rels, document = files.docx_members()
    custom = [(f"customXml/item{n}.xml", b"<item/>") for n in range(5)]
    data = files.docx([content_types, rels, *custom, document])
    assert filetype.guess(data).extension == "zip"
    assert service.detect(data) == DOCX


@pytest.mark.parametrize(
    "data",
    [
        # OOXML without its [Content_Types].xml
        files.docx(files.docx_members()[1:]),
        # parts of both a document and a workbook
        files.docx([*files.docx_members(), ("xl/workbook.xml", b"<workbook/>")]),
        # a macro-enabled document (DOCM) dressed as DOCX
        files.docx([*files.docx_members(), ("word/vbaProject.bin", b"\xd0\xcf\x11\xe0")]),
        # an OpenDocument spreadsheet, not text
        files.odt(b"application/vnd.oasis.opendocument.spreadsheet"),
        # a truncated, corrupt DOCX
        files.docx()[:200],
    ],
    ids=["no-content-types", "word-and-xl", "macros", "ods", "truncated"],
)
def test_zip_documents_that_are_not_allowed(data):
    assert data.startswith(b"PK\x03\x04")
    assert service.detect(data) is None


def _flag_first_member(data: bytes, offset: int, value: bytes) -> bytes:
    """Overwrite a field of the first central-directory entry."""
    patched = bytearray(data)
    entry = patched.index(b"PK\x01\x02")
    patched[entry + offset : entry + offset + len(value)] = value
    return bytes(patched)


@pytest.mark.parametrize(
    "data",
    [
        _flag_first_member(files.odt(), 8, b"\x01\x00"),  # encrypted: RuntimeError
        _flag_first_member(files.odt(), 10, b"\x63\x00"),  # method 99: NotImplementedError
    ],
    ids=["encrypted", "unknown-method"],
)
def test_an_unreadable_mimetype_member_is_not_odt(data):
    assert service.detect(data) is None


def test_odt_needs_its_mimetype_member_first():
    members = [("content.xml", b"<office:document-content/>"), ("mimetype", files.ODT_MIME)]
    data = files.docx(members)
    assert service.detect(data) is None
    assert service.detect(files.odt()) == ODT


# --- storing ------------------------------------------------------------------------------


@pytest.mark.parametrize(("build", "filename", "expected"), ALLOWED)
def test_each_allowed_type_is_stored(db, area, storage, max_bytes, build, filename, expected):
    data = build()
    application = make_application(db, area)
    # An actor without an area: the event must still land in the application's area.
    applicant = Actor("Sökande")

    attachment = _store(
        db,
        area,
        storage,
        max_bytes,
        actor=applicant,
        application=application,
        filename=filename,
        data=data,
    )

    assert re.fullmatch(r"[0-9a-f]{32}", attachment.stored_name)
    path = storage / attachment.stored_name
    assert _files_under(storage.parent.parent) == [path]
    assert path.read_bytes() == data
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(storage.stat().st_mode) == 0o700
    assert service.path_of(attachment, storage) == path

    db.expire_all()
    row = db.get(Attachment, attachment.id)
    assert (row.area_id, row.application_id) == (area.area.id, application.id)
    assert (row.label, row.original_filename) == ("Budget", filename)
    assert (row.content_type, row.size_bytes) == (expected.mime, len(data))
    assert row.sha256 == hashlib.sha256(data).hexdigest()
    assert row.uploaded_by == "Sökande"
    assert row.uploaded_at is not None

    event = db.scalars(select(AuditEvent).where(AuditEvent.entity_type == "attachment")).one()
    assert (event.entity_id, event.action, event.area_id) == (row.id, "upload", area.area.id)
    assert (event.actor_label, event.actor_user_id) == ("Sökande", None)
    assert event.summary == (
        f"Bilagan ”Budget” laddades upp till ansökan Mötesplats i bygden: "
        f"{filename} ({expected.label}, 1 kB)"
    )


def test_content_decides_over_the_name(db, area, storage, max_bytes):
    attachment = _store(db, area, storage, max_bytes, filename="budget.docx", data=files.pdf())
    assert attachment.content_type == PDF.mime
    assert attachment.original_filename == "budget.docx"


def test_the_label_is_trimmed_and_a_file_of_exactly_the_limit_is_accepted(
    db, area, storage, max_bytes
):
    data = files.pdf().ljust(max_bytes, b"\n")
    attachment = _store(db, area, storage, max_bytes, label="  Offert  ", data=data)
    assert attachment.label == "Offert"
    assert attachment.size_bytes == max_bytes
    assert (storage / attachment.stored_name).stat().st_size == max_bytes


REFUSED = [
    (b"", "budget.pdf", EMPTY),
    (files.elf(), "budget.pdf", MISMATCH),
    (files.pe(), "budget.pdf", MISMATCH),
    (files.html(), "budget.pdf", MISMATCH),
    (files.html(), "BUDGET.PDF", MISMATCH),
    (files.plain_zip(), "budget.docx", MISMATCH),
    (files.plain_zip(), "budget.xlsx", MISMATCH),
    (files.html(), "kvitto.jpeg", MISMATCH),
    (files.plain_zip(), "bilagor.zip", UNSUPPORTED),
    (files.html(), "budget.html", UNSUPPORTED),
    (files.pe(), "setup.exe", UNSUPPORTED),
    (files.elf(), "budget", UNSUPPORTED),
    # The name is judged after sanitising: this one ends in .exe, not .pdf.
    (files.pe(), "budget.pdf\x00.exe", UNSUPPORTED),
]


@pytest.mark.parametrize(("data", "filename", "message"), REFUSED)
def test_refused_files_leave_nothing_behind(db, area, storage, max_bytes, data, filename, message):
    application = make_application(db, area)
    with pytest.raises(FieldError) as refused:
        _store(db, area, storage, max_bytes, application=application, data=data, filename=filename)
    assert refused.value.message == message
    assert not storage.exists()
    assert _rows(db) == (0, 0)


def test_a_file_over_the_limit_is_refused_with_sizes_in_swedish(db, area, storage, max_bytes):
    data = files.pdf().ljust(max_bytes + 1, b"\n")
    with pytest.raises(FieldError) as refused:
        _store(db, area, storage, max_bytes, data=data)
    # One byte over still reads as over: the size is rounded up, the limit down.
    assert refused.value.message == (
        "Filen är för stor (10,1 MB). Största tillåtna storlek är 10,0 MB."
    )
    assert not storage.exists()
    assert _rows(db) == (0, 0)


def test_the_size_message_uses_a_decimal_comma():
    with pytest.raises(FieldError) as refused:
        service.check_upload(b"%PDF" * (int(12.3 * MIB) // 4), "a.pdf", max_bytes=10 * MIB)
    assert refused.value.message == (
        "Filen är för stor (12,3 MB). Största tillåtna storlek är 10,0 MB."
    )


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("", LABEL_MISSING),
        ("   ", LABEL_MISSING),
        ("x" * 101, "Högst 100 tecken."),
        ("Bud\x00get", BAD_CHARACTERS),
    ],
)
def test_the_label_is_required_and_short(db, area, storage, max_bytes, label, message):
    with pytest.raises(FieldError) as refused:
        _store(db, area, storage, max_bytes, label=label)
    assert refused.value.message == message
    assert not storage.exists()
    assert _rows(db) == (0, 0)


@pytest.mark.parametrize(
    ("filename", "shown"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\x.pdf", "x.pdf"),
        ("C:\\fakepath\\Budget 2026.pdf", "Budget 2026.pdf"),
        ("/var/lib/bygdestod/attachments/" + "0" * 32, "0" * 32),
        ("a" * 1000 + ".pdf", "a" * 251 + ".pdf"),
        ("x." + "a" * 1000, "x." + "a" * 253),
        ("bud\x00get\x07\x1b[31m.pdf", "budget[31m.pdf"),
        ("rad ett\nrad\ttvå.pdf", "rad ett rad två.pdf"),
        # With its right-to-left override this .exe name displays as "kvittoexe.pdf".
        ("kvitto\u202efdp.exe", "kvittofdp.exe"),
        ("a\u0308ngen.pdf", "ängen.pdf"),  # macOS sends decomposed (NFD) names
        ("Z" + "\u0336" * 40 + ".pdf", "Z\u0336\u0336.pdf"),
        ('Offert: "slutlig" <v2>?.pdf', "Offert_ _slutlig_ _v2__.pdf"),
        ("  .budget.pdf.  ", "budget.pdf"),
        ("..", "bilaga.pdf"),
        ("", "bilaga.pdf"),
        ("\u200b\u202e\x00", "bilaga.pdf"),
    ],
)
def test_file_names_are_for_display_only(db, area, storage, max_bytes, tmp_path, filename, shown):
    attachment = _store(db, area, storage, max_bytes, filename=filename)
    assert attachment.original_filename == shown
    assert len(attachment.original_filename) <= 255
    assert _files_under(tmp_path) == [storage / attachment.stored_name]
    db.expire_all()
    assert db.get(Attachment, attachment.id).original_filename == shown


def test_a_failed_insert_removes_the_file(db, area, storage, max_bytes):
    missing = Application(id=999_999, area_id=area.area.id, title="Finns inte")
    with pytest.raises(IntegrityError):
        _store(db, area, storage, max_bytes, application=missing)
    assert storage.is_dir()
    assert _files_under(storage) == []
    db.rollback()
    assert _rows(db) == (0, 0)


def test_a_refused_audit_event_removes_the_file_too(db, area, storage, max_bytes, monkeypatch):
    record = audit.record

    def broken_record(*args, **kwargs) -> AuditEvent:
        event = record(*args, **kwargs)
        event.summary = None  # NOT NULL on both databases
        return event

    monkeypatch.setattr(audit, "record", broken_record)
    with pytest.raises(IntegrityError):
        _store(db, area, storage, max_bytes)
    assert _files_under(storage) == []
    db.rollback()
    assert _rows(db) == (0, 0)


def test_a_failed_write_leaves_no_temporary_file(db, area, storage, max_bytes, monkeypatch):
    def disk_full(source: str, target: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(OSError, match="No space"):
        _store(db, area, storage, max_bytes)
    assert list(storage.iterdir()) == []
    assert _rows(db) == (0, 0)


# --- reading, finding, showing ------------------------------------------------------------


class CountingBytes(io.BytesIO):
    bytes_read = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.bytes_read += len(data)
        return data


def test_read_limited_returns_a_file_within_the_limit():
    data = files.pdf().ljust(1024 * 1024, b"\n")
    source = CountingBytes(data)
    assert asyncio.run(service.read_limited(UploadFile(source), len(data))) == data
    assert source.bytes_read == len(data)


@pytest.mark.parametrize(("size", "shown"), [(30 * MIB + 5, "30,1"), (None, "10,1")])
def test_read_limited_stops_early_on_an_oversized_upload(size, shown):
    max_bytes = 10 * MIB
    source = CountingBytes(b"\0" * (30 * MIB + 5))
    with pytest.raises(FieldError) as refused:
        asyncio.run(service.read_limited(UploadFile(source, size=size), max_bytes))
    assert source.bytes_read == max_bytes + 1
    assert refused.value.message == (
        f"Filen är för stor ({shown} MB). Största tillåtna storlek är 10,0 MB."
    )


@pytest.mark.parametrize(
    "stored_name",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "0123456789abcdef0123456789abcde/",
        "0123456789ABCDEF0123456789ABCDEF",
        "0123456789abcdef0123456789abcde",
        "0123456789abcdef0123456789abcdef\n",
        "",
    ],
)
def test_path_of_refuses_a_tampered_stored_name(storage, stored_name):
    with pytest.raises(ValueError, match="Not a stored attachment name"):
        service.path_of(Attachment(stored_name=stored_name), storage)


def test_attachments_are_one_application_in_upload_order(db, area, storage, max_bytes):
    application = make_application(db, area)
    other = make_application(db, area, title="Annan ansökan")
    first = _store(db, area, storage, max_bytes, application=application, label="Offert")
    second = _store(db, area, storage, max_bytes, application=application, label="Budget")
    _store(db, area, storage, max_bytes, application=other, label="Kvitto")
    # Uploaded later than its id suggests: the order is by time, not by id.
    first.uploaded_at = second.uploaded_at + timedelta(minutes=1)
    db.flush()
    db.expire_all()

    assert [a.label for a in application.attachments] == ["Budget", "Offert"]
    assert [a.label for a in other.attachments] == ["Kvitto"]


@pytest.mark.parametrize(
    ("size_bytes", "shown"),
    [
        (1, "1 kB"),
        (245 * 1024, "245 kB"),
        (245 * 1024 + 600, "246 kB"),
        (999 * 1024, "999 kB"),
        (1000 * 1024, "1,0 MB"),
        (int(1.2 * MIB), "1,2 MB"),
        (10 * MIB, "10,0 MB"),
        (1234 * MIB, "1\u00a0234,0 MB"),
    ],
)
def test_display_size_is_swedish(size_bytes, shown):
    assert service.display_size(size_bytes) == shown
