"""Attachments (bilagor): accepted by what the bytes are, stored under random names.

Content detection uses the ``filetype`` library for magic numbers. For ZIP-based documents it is
not enough on its own: ``filetype`` 1.2.0 decides DOCX/XLSX by the *names* of the first five
local headers in the first 6 000 bytes, so a plain ZIP whose first member is ``word/x.exe`` passes
as DOCX, while a real DOCX whose ``word/`` parts come after a few other parts is only "a ZIP"
(both shown in tests/test_attachments.py). So for anything with a ZIP signature we read the
archive's central directory with ``zipfile`` instead, order-independently: OOXML needs
``[Content_Types].xml`` and parts under exactly one of ``word/`` or ``xl/``; ODF needs the
``mimetype`` member first holding the ODT media type (ODF 1.2 part 3, §3.3). Nothing in an
archive is unpacked except at most those few bytes of ``mimetype``.

The applicant's file name is display text only: it is sanitised, capped at 255 characters and
never used to build a path.
"""

import hashlib
import io
import os
import re
import secrets
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, ROUND_UP, Decimal
from pathlib import Path

import filetype
from babel import Locale
from babel.numbers import format_decimal
from filetype.types.archive import Zip
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from app.applications.models import Application
from app.attachments.models import Attachment
from app.audit import service as audit
from app.audit.service import Actor
from app.core import i18n
from app.core.forms import FieldError, required, validate_field
from app.core.i18n import N_
from app.core.i18n import gettext as _


@dataclass(frozen=True)
class AllowedType:
    mime: str
    extension: str
    label: str


PDF = AllowedType("application/pdf", "pdf", "PDF")
JPEG = AllowedType("image/jpeg", "jpg", "JPEG")
PNG = AllowedType("image/png", "png", "PNG")
DOCX = AllowedType(
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "docx", "Word (DOCX)"
)
XLSX = AllowedType(
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx", "Excel (XLSX)"
)
ODT = AllowedType("application/vnd.oasis.opendocument.text", "odt", "OpenDocument-text (ODT)")
ALLOWED_TYPES = (PDF, JPEG, PNG, DOCX, XLSX, ODT)

# Messages for the file field, translated when raised (FieldError).
EMPTY = N_("Filen är tom.")
UNSUPPORTED = N_("Filtypen stöds inte. Ladda upp PDF, JPEG, PNG, DOCX, XLSX eller ODT.")
MISMATCH = N_(
    "Filen är inte den filtyp som namnet anger. "
    "Ladda upp en riktig PDF, JPEG, PNG, DOCX, XLSX eller ODT."
)
LABEL_MISSING = N_("Ange vad bilagan är, t.ex. Budget eller Offert.")

# File name endings that claim an allowed type; content that is none of them gets MISMATCH.
_CLAIMED_EXTENSIONS = frozenset({"pdf", "jpg", "jpeg", "png", "docx", "xlsx", "odt"})
_BY_MIME = {kind.mime: kind for kind in (PDF, JPEG, PNG)}
_ZIP_SIGNATURE = Zip()
_LABEL_VALIDATOR = {"label": required(LABEL_MISSING, max_length=100)}
_STORED_NAME = re.compile(r"[0-9a-f]{32}")
_MAX_DISPLAY_NAME = 255
_READ_CHUNK = 64 * 1024
_MIB = Decimal(1024 * 1024)
# The audit log is a Swedish record: sizes written into it are Swedish whatever the language.
_RECORD_LOCALE = i18n.FORMAT_LOCALES[i18n.DEFAULT_LANGUAGE]


def detect(data: bytes) -> AllowedType | None:
    """What the bytes are, if they are one of the allowed types; the file name plays no part."""
    if _ZIP_SIGNATURE.match(data):
        return _zipped_document(data)
    kind = filetype.guess(data)
    return _BY_MIME.get(kind.mime) if kind is not None else None


def _zipped_document(data: bytes) -> AllowedType | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if members and members[0].filename == "mimetype":
                with archive.open(members[0]) as member:
                    return ODT if member.read(len(ODT.mime) + 1) == ODT.mime.encode() else None
            names = [member.filename for member in members]
    # Fuzzing shows zipfile reporting a malformed archive as BadZipFile, ValueError (also
    # UnicodeDecodeError), EOFError, NotImplementedError, RuntimeError or OSError: all of them
    # mean "not an acceptable document", so none is singled out.
    except Exception:
        return None
    # Macro-enabled workbooks and documents (XLSM, DOCM) are not on the allowed list.
    if "[Content_Types].xml" not in names or any(n.endswith("vbaProject.bin") for n in names):
        return None
    word = any(name.startswith("word/") for name in names)
    excel = any(name.startswith("xl/") for name in names)
    if word == excel:
        return None
    return DOCX if word else XLSX


def sanitise_filename(filename: str) -> str:
    """The applicant's file name made fit for display: no directories, no control or invisible
    format characters (a right-to-left override can make "gpj.exe" read "exe.jpg"), no runs of
    combining marks, no characters Windows forbids in a name, at most 255 characters with the
    extension kept. Empty when nothing displayable is left."""
    name = re.split(r"[/\\]", unicodedata.normalize("NFC", filename))[-1]
    kept: list[str] = []
    marks = 0
    for char in name:
        category = unicodedata.category(char)
        if char.isspace():
            char = " "
        elif category[0] == "C":
            continue
        elif char in '<>:"|?*':
            char = "_"
        marks = marks + 1 if category[0] == "M" else 0
        if marks <= 2:
            kept.append(char)
    name = re.sub(" +", " ", "".join(kept)).strip(" .")
    if len(name) <= _MAX_DISPLAY_NAME:
        return name
    stem, dot, extension = name.rpartition(".")
    suffix = f".{extension}" if dot and stem and len(extension) <= 10 else ""
    return name[: _MAX_DISPLAY_NAME - len(suffix)].rstrip(" .") + suffix


def _megabytes(size_bytes: int, rounding: str, locale: str | Locale | None = None) -> str:
    value = (Decimal(size_bytes) / _MIB).quantize(Decimal("0.1"), rounding=rounding)
    return format_decimal(value, format="#,##0.0", locale=locale or i18n.format_locale())


def _too_big(size_bytes: int, max_bytes: int) -> str:
    # Size rounded up and limit down, so a file over the limit never reads as within it.
    return _("Filen är för stor ({size} MB). Största tillåtna storlek är {limit} MB.").format(
        size=_megabytes(size_bytes, ROUND_UP), limit=_megabytes(max_bytes, ROUND_DOWN)
    )


def check_upload(data: bytes, filename: str, *, max_bytes: int) -> AllowedType:
    """The detected type of an acceptable upload, or a FieldError for the file field.

    Content decides. When it is not an allowed type, the message depends on the name: a name
    ending in an allowed extension (``budget.pdf`` that is an executable, a web page or a bare
    ZIP) gets MISMATCH, anything else UNSUPPORTED. A PDF named ``.docx`` is accepted as a PDF.
    """
    if not data:
        raise FieldError(EMPTY)
    if len(data) > max_bytes:
        raise FieldError(_too_big(len(data), max_bytes))
    allowed = detect(data)
    if allowed is None:
        _stem, dot, extension = sanitise_filename(filename).rpartition(".")
        claimed = bool(dot) and extension.lower() in _CLAIMED_EXTENSIONS
        raise FieldError(MISMATCH if claimed else UNSUPPORTED)
    return allowed


async def read_limited(upload: UploadFile, max_bytes: int) -> bytes:
    """The upload's bytes, reading no more than ``max_bytes + 1`` before refusing it.

    Starlette has spooled the whole part to a temporary file by now; this bounds what we hold in
    memory. ``upload.size`` (counted by Starlette while spooling) gives the true size for the
    message; a file-like object without it is reported by what was read.
    """
    buffer = io.BytesIO()
    while chunk := await upload.read(min(_READ_CHUNK, max_bytes + 1 - buffer.tell())):
        buffer.write(chunk)
        if buffer.tell() > max_bytes:
            raise FieldError(_too_big(max(buffer.tell(), upload.size or 0), max_bytes))
    return buffer.getvalue()


def clean_label(label: str) -> str:
    """What the attachment is for: required, at most 100 characters, no control characters.
    Public so that a route can place the message next to the label field."""
    message = validate_field(_LABEL_VALIDATOR, "label", label)
    if message is not None:
        raise FieldError(message)
    return label.strip()


def _write_atomically(directory: Path, name: str, data: bytes) -> Path:
    """Write ``data`` to ``directory/name`` so that the name only ever shows complete content."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = directory / name
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".upload-")
    try:
        os.fchmod(descriptor, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, target)
        # Make the rename itself durable.
        directory_descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(directory_descriptor)
        finally:
            os.close(directory_descriptor)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        target.unlink(missing_ok=True)
        raise
    return target


def store(
    session: Session,
    actor: Actor,
    *,
    application: Application,
    label: str,
    filename: str,
    data: bytes,
    storage_dir: Path,
    max_bytes: int,
) -> Attachment:
    """Check, write and record an attachment, with its audit event, in the caller's transaction.

    Everything is checked before anything is written. If the database refuses the row, the file
    is removed again; a later failed commit is the caller's to clean up (``path_of``).
    """
    label = clean_label(label)
    allowed = check_upload(data, filename, max_bytes=max_bytes)
    display_name = sanitise_filename(filename) or f"bilaga.{allowed.extension}"
    path = _write_atomically(storage_dir, secrets.token_hex(16), data)
    try:
        attachment = Attachment(
            area_id=application.area_id,
            application_id=application.id,
            label=label,
            original_filename=display_name,
            stored_name=path.name,
            content_type=allowed.mime,
            size_bytes=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            uploaded_by=actor.label,
        )
        session.add(attachment)
        session.flush()
        audit.record(
            session,
            actor,
            entity_type="attachment",
            entity_id=attachment.id,
            action="upload",
            summary=(
                f"Bilagan ”{label}” laddades upp till ansökan "
                f"{application.reference or application.title}: "
                f"{display_name} ({allowed.label}, {display_size(len(data), _RECORD_LOCALE)})"
            ),
            area_id=application.area_id,
        )
        session.flush()
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return attachment


def path_of(attachment: Attachment, storage_dir: Path) -> Path:
    """Where the attachment's file is. Refuses any stored name that ``store`` could not have
    made, so a tampered row can never point outside ``storage_dir``."""
    if not _STORED_NAME.fullmatch(attachment.stored_name):
        raise ValueError(f"Not a stored attachment name: {attachment.stored_name!r}")
    return storage_dir / attachment.stored_name


def display_size(size_bytes: int, locale: str | Locale | None = None) -> str:
    """A file size as users read it: "245 kB" below 1 000 kB, otherwise "1,2 MB" / "1.2 MB"
    (binary units, like the size limit), in the interface language unless ``locale`` is given."""
    locale = locale or i18n.format_locale()
    kilobytes = max(1, int((Decimal(size_bytes) / 1024).quantize(1, rounding=ROUND_HALF_UP)))
    if kilobytes < 1000:
        return f"{format_decimal(kilobytes, locale=locale)} kB"
    return f"{_megabytes(size_bytes, ROUND_HALF_UP, locale)} MB"
