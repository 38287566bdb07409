"""The minutes of a LAG meeting: what they record (attendance, jäv, participation by interest
group, the decision, the vote, the motivation), that HTML and PDF say the same, that user text
cannot break them, and that the same meeting always gives the same PDF."""

import io
import re
from datetime import UTC, date, datetime
from html import unescape

import pytest
from pypdf import PdfReader
from sqlalchemy.orm import Session

from app.board.models import BoardMember, BoardRole, Sector
from app.meetings.minutes import render_minutes
from app.meetings.models import (
    AgendaItem,
    Attendance,
    ConflictDeclaration,
    ItemOutcome,
    Meeting,
    MeetingStatus,
    MinutesCorrection,
)
from tests.factories import AreaSetup, make_small_grant_case

KR = 100

# key: (name, sector, role, represents)
BOARD = {
    "anna": ("Anna Andersson", Sector.PUBLIC, BoardRole.CHAIR, "Flens kommun"),
    "per": ("Per Persson", Sector.PUBLIC, BoardRole.MEMBER, "Region Sörmland"),
    "bo": ("Bo Berg", Sector.BUSINESS, BoardRole.MEMBER, ""),
    "karin": ("Karin Karlsson", Sector.BUSINESS, BoardRole.MEMBER, "Företagarna"),
    "lars": ("Lars Larsson", Sector.BUSINESS, BoardRole.MEMBER, ""),
    "eva": ("Eva Ek", Sector.CIVIL_SOCIETY, BoardRole.VICE_CHAIR, "Bygdegårdarna"),
    "olle": ("Olle Olsson", Sector.CIVIL_SOCIETY, BoardRole.MEMBER, ""),
    "maja": ("Maja Mattsson", Sector.CIVIL_SOCIETY, BoardRole.MEMBER, ""),
    "cecilia": ("Cecilia Ceder", Sector.BUSINESS, BoardRole.SUBSTITUTE, ""),
    "sven": ("Sven Svensson", Sector.CIVIL_SOCIETY, BoardRole.SUBSTITUTE, ""),
}
ABSENT = {"karin", "sven"}
VOTERS = ("anna", "per", "bo", "cecilia", "lars", "eva", "maja")


def _plain(text: str) -> str:
    # Amounts use no-break spaces, and layout may break lines anywhere: compare words only.
    return " ".join(text.replace("\u00a0", " ").split())


def html_text(html: str) -> str:
    html = re.sub(r"<style>.*?</style>", " ", html, flags=re.DOTALL)
    return _plain(unescape(re.sub(r"<[^>]+>", " ", html)))


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return _plain(" ".join(page.extract_text() for page in reader.pages))


@pytest.fixture
def board(db: Session, area: AreaSetup) -> dict[str, BoardMember]:
    members = {
        key: BoardMember(area_id=area.area.id, full_name=name, sector=sector, role=role,
                         represents=represents, term_start=date(2023, 1, 1))
        for key, (name, sector, role, represents) in BOARD.items()
    }  # fmt: skip
    db.add_all(members.values())
    db.flush()
    members["cecilia"].substitute_for_id = members["karin"].id
    db.flush()
    return members


@pytest.fixture
def meeting(db: Session, area: AreaSetup, board: dict[str, BoardMember]) -> Meeting:
    """A closed meeting: a småstöd granted 5–1–1 with Olle's jäv and Cecilia standing in for
    the absent Karin, then an information item."""
    meeting = Meeting(
        area_id=area.area.id, held_on=date(2026, 12, 3), starts_at="18:00",
        place="Bygdegården, Forssjö", status=MeetingStatus.CLOSED,
        secretary_name="Hanna Handläggare",
        adjuster_one_id=board["eva"].id, adjuster_two_id=board["bo"].id,
    )  # fmt: skip
    db.add(meeting)
    db.flush()
    db.add_all(
        Attendance(meeting_id=meeting.id, member_id=member.id, present=key not in ABSENT)
        for key, member in board.items()
    )
    case = make_small_grant_case(db, area, requested_kr=25_000, title="Hjärtstartare till byn")
    grant = AgendaItem(
        area_id=area.area.id, meeting_id=meeting.id, position=1, application_id=case.id,
        title=f"{case.reference} {case.title}", outcome=ItemOutcome.APPROVED,
        amount_ore=25_000 * KR,
        motivation="Projektet stärker bygdens beredskap.\nDet är väl förankrat i byn.",
        votes_for=5, votes_against=1, votes_abstain=1,
        reservations="Bo Berg reserverade sig mot beslutet.",
        participation={
            "voters": [{"id": board[k].id, "name": board[k].full_name,
                        "sector": board[k].sector.value} for k in VOTERS],
            "stand_ins": {str(board["cecilia"].id): board["karin"].id},
            "left_out": [{"id": board["olle"].id, "name": board["olle"].full_name}],
        },
        decided_at=datetime(2026, 12, 3, 18, 30, tzinfo=UTC),
    )  # fmt: skip
    info = AgendaItem(
        area_id=area.area.id, meeting_id=meeting.id, position=2,
        title="Information om budgetläget",
        notes="Kansliet redovisade upparbetningen.\nNästa möte hålls i februari.",
    )  # fmt: skip
    db.add_all([grant, info])
    db.flush()
    db.add(ConflictDeclaration(item_id=grant.id, member_id=board["olle"].id,
                               reason="Ordförande i den sökande föreningen"))  # fmt: skip
    db.flush()
    db.refresh(meeting)
    return meeting


def _texts(db: Session, meeting: Meeting) -> dict[str, str]:
    html, data = render_minutes(db, meeting)
    return {"html": html_text(html), "pdf": pdf_text(data)}


def test_minutes_record_the_meeting(db, area, meeting) -> None:
    reference = meeting.items[0].application.reference
    for kind, text in _texts(db, meeting).items():
        for expected in (
            "Protokoll fört vid LAG-styrelsens sammanträde",
            "Leader Testbygd",
            "3 december 2026",
            "kl. 18:00",
            "Bygdegården, Forssjö",
            # Attendance: ordinary members and substitutes with role and sector.
            "Närvarande",
            "Anna Andersson (Flens kommun), ordförande, offentlig sektor",
            "Eva Ek (Bygdegårdarna), vice ordförande, ideell sektor",
            "Cecilia Ceder, ersättare för Karin Karlsson, näringsliv",
            "Tjänstgörande ersättare",
            "Cecilia Ceder för Karin Karlsson i § 1",
            "Frånvarande",
            "Karin Karlsson (Företagarna), ordinarie ledamot, näringsliv",
            "Sven Svensson, ersättare, ideell sektor",
            "Sekreterare Hanna Handläggare",
            # § 1: the application.
            f"§ 1 {reference} Hjärtstartare till byn",
            "Byaföreningen i testbygd (802002-4280)",
            "Småstöd ur Beredskap",
            "Sökt belopp 25 000 kr",
            "Olle Olsson anmälde jäv och deltog inte i handläggningen av ärendet. "
            "Skäl: Ordförande i den sökande föreningen.",
            "Offentlig sektor (2): Anna Andersson, Per Persson",
            "Näringsliv (3): Bo Berg, Cecilia Ceder, Lars Larsson",
            "Ideell sektor (2): Eva Ek, Maja Mattsson",
            "Cecilia Ceder tjänstgjorde som ersättare för Karin Karlsson.",
            "Ingen intressegrupp hade mer än 49 % av rösterna.",
            "Beviljas med 25 000 kr.",
            "Beslutet fattades med 5 röster för, 1 emot och 1 som avstod.",
            "Projektet stärker bygdens beredskap.",
            "Det är väl förankrat i byn.",
            "Bo Berg reserverade sig mot beslutet.",
            # § 2: a free item.
            "§ 2 Information om budgetläget",
            "Kansliet redovisade upparbetningen.",
            "Nästa möte hålls i februari.",
            # The adjustment block.
            "Ej justerat",
            "Eva Ek Justerare",
            "Bo Berg Justerare",
        ):
            assert expected in text, (kind, expected)
        assert text.index("§ 1") < text.index("§ 2") < text.index("Ej justerat"), kind
        # Olle is present but took no part in § 1.
        assert "Olle Olsson (" not in text and "Olle Olsson, ordinarie ledamot" in text, kind
        assert "Ideell sektor (2): Eva Ek, Maja Mattsson" in text, kind


def test_unanimous_and_undecided_items(db, area, meeting) -> None:
    grant = meeting.items[0]
    grant.votes_against = grant.votes_abstain = 0
    grant.votes_for = 1
    texts = _texts(db, meeting)
    for text in texts.values():
        assert "Beslutet fattades enhälligt med 1 röst för." in text
    grant.outcome, grant.amount_ore, grant.participation = None, None, None
    for text in _texts(db, meeting).values():
        assert "Inget beslut har fattats i ärendet." in text
        assert "Beviljas" not in text and "Deltog i beslutet" not in text


def test_adjustment_follows_adjusted_at(db, area, meeting) -> None:
    for text in _texts(db, meeting).values():
        assert "Ej justerat" in text and "Justerat " not in text
    # 23:30 UTC is already the next day in Sweden.
    meeting.adjusted_at = datetime(2026, 12, 9, 23, 30, tzinfo=UTC)
    meeting.status = MeetingStatus.ADJUSTED
    for text in _texts(db, meeting).values():
        assert "Justerat 10 december 2026" in text
        assert "Ej justerat" not in text


def test_corrections_are_not_part_of_the_minutes(db, area, meeting) -> None:
    db.add(MinutesCorrection(meeting_id=meeting.id, text="Rättelse: fel mötesplats",
                             created_by_name="Hanna"))  # fmt: skip
    db.flush()
    for text in _texts(db, meeting).values():
        assert "Rättelse" not in text


HOSTILE = '<script>alert(1)</script> & "citat" <b>fet</b>'


def test_user_text_is_escaped_in_html_and_literal_in_pdf(db, area, meeting) -> None:
    grant, info = meeting.items
    grant.motivation = HOSTILE
    info.title = "Övrigt <i>kursivt</i>"
    meeting.place = "Möte & fika <br/> 😀"
    html, data = render_minutes(db, meeting)
    assert "<script>" not in html and "<b>fet</b>" not in html and "<i>kursivt</i>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; " in html
    assert "Övrigt &lt;i&gt;kursivt&lt;/i&gt;" in html
    text = pdf_text(data)
    assert HOSTILE in text
    assert "§ 2 Övrigt <i>kursivt</i>" in text
    # Outside the PDF fonts: a question mark, not a failure.
    assert "Möte & fika <br/> ?" in text


def test_html_is_a_standalone_swedish_document(db, area, meeting) -> None:
    html, _ = render_minutes(db, meeting)
    assert html.lstrip().startswith("<!doctype html>")
    assert '<html lang="sv">' in html
    assert "<title>Protokoll LAG 2026-12-03</title>" in html
    assert "@media print" in html


def test_pdf_is_a4_with_metadata_and_stable_output(db, area, meeting) -> None:
    html, data = render_minutes(db, meeting)
    assert data.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata.title == "Protokoll LAG 2026-12-03"
    assert reader.metadata.author == "Leader Testbygd"
    page = reader.pages[0]
    assert (round(page.mediabox.width), round(page.mediabox.height)) == (595, 842)
    assert "Sida 1" in page.extract_text()
    assert render_minutes(db, meeting) == (html, data)


def test_long_minutes_flow_over_pages(db, area, meeting) -> None:
    meeting.items[0].motivation = "\n".join(["Lång motivering."] * 150)
    _, data = render_minutes(db, meeting)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) > 1
    assert "Sida 2" in reader.pages[1].extract_text()
    assert "Hanna Handläggare" in reader.pages[-1].extract_text()
