"""The minutes (protokoll) of a LAG meeting, as printable HTML and as PDF.

The minutes are the record Jordbruksverket and the applicants rely on: who was there, who had jäv
and left the item, who took part in each decision by interest group, how the vote went and why.
As with the decision letter, the wording is composed once, in :func:`_compose`, and both formats
only lay it out, so the stored HTML and the stored PDF can never say different things. Who took
part in an item is read from what was recorded when the decision was made
(``AgendaItem.participation``), not recomputed from today's board.

Corrections (:class:`~app.meetings.models.MinutesCorrection`) are not part of the minutes: the
adjusted minutes are locked and corrections are shown next to them.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from babel.dates import format_date
from babel.numbers import format_decimal
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer, Table, TableStyle
from sqlalchemy.orm import Session

from app.applications.models import Application, ApplicationKind
from app.areas.models import Area
from app.board.models import BoardMember, BoardRole, Sector
from app.board.rules import USUAL_RULES, DecisionRules, format_share
from app.config import get_settings
from app.core import pdf
from app.core.i18n import in_swedish
from app.core.identifiers import format_org_number
from app.core.money import format_money
from app.core.pdf import markup, markup_lines, one_line, section, text_lines
from app.core.templates import templates
from app.meetings.models import AgendaItem, ConflictDeclaration, Meeting

# The minutes are Swedish whatever the user interface locale is set to.
LOCALE = "sv_SE"
HEADING = "Protokoll fört vid LAG-styrelsens sammanträde"

_ROLE_ORDER = {role: index for index, role in enumerate(BoardRole)}
_SECTOR_ORDER = {sector: index for index, sector in enumerate(Sector)}


@dataclass(frozen=True)
class _Row:
    """One labelled entry: "Plats", "Jäv", "Beslut" … with an optional bold first line."""

    label: str
    lines: tuple[str, ...]
    strong: str = ""


@dataclass(frozen=True)
class _Paragraph:
    """A numbered paragraph (§) of the minutes: one agenda item."""

    number: str
    heading: str
    rows: tuple[_Row, ...]


@dataclass(frozen=True)
class _Signature:
    caption: str
    name: str


@dataclass(frozen=True)
class _Minutes:
    """The minutes' final wording, ready to lay out."""

    document_title: str
    heading: str
    area_name: str
    header: tuple[_Row, ...]
    paragraphs: tuple[_Paragraph, ...]
    adjustment: str
    signatures: tuple[_Signature, ...]
    footer: str


@in_swedish
def render_minutes(session: Session, meeting: Meeting) -> tuple[str, bytes]:
    """The meeting's minutes as (standalone HTML, A4 PDF), with the same wording in both."""
    minutes = _compose(session, meeting)
    return _html(minutes), _pdf(minutes)


# --- Wording -------------------------------------------------------------------------------


def _long_date(value: date) -> str:
    return format_date(value, "d MMMM y", locale=LOCALE)


def _local_date(value: datetime) -> date:
    # Stored in UTC; a meeting adjusted at 00:30 Swedish time is adjusted on that Swedish day.
    return value.astimezone(ZoneInfo(get_settings().timezone)).date()


def _join(items: list[str]) -> str:
    """A list the Swedish way: "A", "A och B", "A, B och C"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " och " + items[-1]


def _sentence(text: str) -> str:
    """User text as a sentence of its own: one line, ending with exactly one full stop."""
    text = one_line(text).rstrip(".")
    return f"{text}." if text else ""


def _member_sort_key(member: BoardMember) -> tuple[int, int, str, int]:
    # Chair, vice chair, ordinary members, substitutes; within each, by interest group and name.
    return (_ROLE_ORDER[member.role], _SECTOR_ORDER[member.sector], member.full_name, member.id)


def _describe(member: BoardMember, names: dict[int, str]) -> str:
    """A member as the attendance lists show them, e.g. "Anna Ek (Flens kommun), ordförande,
    offentlig sektor"."""
    name = one_line(member.full_name)
    represents = one_line(member.represents)
    role = member.role.label.lower()
    if member.role is BoardRole.SUBSTITUTE and member.substitute_for_id in names:
        role = f"ersättare för {names[member.substitute_for_id]}"
    who = f"{name} ({represents})" if represents else name
    return f"{who}, {role}, {member.sector.label.lower()}"


def _board(session: Session, meeting: Meeting) -> tuple[list[BoardMember], dict[int, bool]]:
    """Everyone serving on the meeting day (and anyone with an attendance row), and who was
    present."""
    # Imported here: the meeting service imports this module to store the minutes at adjustment.
    from app.meetings import service

    present = service.attendance(session, meeting)
    members = {member.id: member for member in service.members_serving(session, meeting)}
    for member_id in present.keys() - members.keys():
        if (member := session.get(BoardMember, member_id)) is not None:
            members[member_id] = member
    return sorted(members.values(), key=_member_sort_key), present


def _conflicts(session: Session, item: AgendaItem) -> list[ConflictDeclaration]:
    from app.meetings import service  # see _board

    return sorted(
        service.conflicts(session, item), key=lambda c: (one_line(c.member.full_name), c.id)
    )


def _stand_ins(item: AgendaItem) -> list[tuple[int, int]]:
    """(substitute id, ordinary member id) pairs recorded when the item was decided."""
    recorded: dict[str, Any] = (item.participation or {}).get("stand_ins") or {}
    return sorted((int(substitute), int(ordinary)) for substitute, ordinary in recorded.items())


def _voters(item: AgendaItem) -> list[dict[str, Any]]:
    return list((item.participation or {}).get("voters") or [])


def _balance_limit(item: AgendaItem) -> int:
    """The area's balance limit when the item was decided."""
    recorded = (item.participation or {}).get("balance_limit_percent")
    return USUAL_RULES.balance_limit_percent if recorded is None else int(recorded)


def _applicant(application: Application) -> str:
    organisation = application.organisation
    name = one_line(
        application.applicant_name
        or (organisation.name if organisation else application.contact_name)
    )
    if organisation is not None and organisation.org_number:
        return f"{name} ({format_org_number(organisation.org_number)})"
    return name


def _case_kind(application: Application) -> str:
    umbrella = application.umbrella_project
    if application.kind is ApplicationKind.SMALL_GRANT and umbrella is not None:
        return f"Småstöd ur {one_line(umbrella.name)}"
    return f"{application.kind.label}, insatsområde {one_line(application.action_area.name)}"


def _vote_sentence(votes_for: int, against: int, abstain: int) -> str:
    """The vote as secretaries write it: "Beslutet fattades med 5 röster för, 1 emot och 1 som
    avstod", or "enhälligt" when nobody voted against or abstained."""
    plural = "röst" if votes_for == 1 else "röster"
    if not against and not abstain:
        return f"Beslutet fattades enhälligt med {votes_for} {plural} för."
    return (
        f"Beslutet fattades med {votes_for} {plural} för, {against} emot och {abstain} som avstod."
    )


def _participation_lines(item: AgendaItem, names: dict[int, str]) -> tuple[str, ...]:
    """Who took part by interest group, who stood in for whom, and the balance among them."""
    voters = _voters(item)
    by_sector: dict[Sector, list[str]] = {sector: [] for sector in Sector}
    for voter in voters:
        by_sector[Sector(voter["sector"])].append(one_line(str(voter["name"])))
    lines = [
        f"{sector.label} ({len(people)}): {', '.join(sorted(people)) or '–'}"
        for sector, people in by_sector.items()
    ]
    lines += [
        f"{names.get(substitute, '–')} tjänstgjorde som ersättare för {names.get(ordinary, '–')}."
        for substitute, ordinary in _stand_ins(item)
    ]
    if voters:
        limit = _balance_limit(item)
        rules = DecisionRules(balance_limit_percent=limit)
        dominant = [
            sector
            for sector, people in by_sector.items()
            if rules.dominates(len(people), len(voters))
        ]
        lines += [
            f"{sector.label} hade {len(by_sector[sector])} av {len(voters)} röster "
            f"({format_share(len(by_sector[sector]), len(voters))})."
            for sector in dominant
        ] or [f"Ingen intressegrupp hade mer än {limit}\u00a0% av rösterna."]
    return tuple(lines)


def _conflict_sentence(declaration: ConflictDeclaration) -> str:
    """The minutes must show who had jäv, that they left the item, and why: "X anmälde jäv och
    deltog inte i handläggningen av ärendet. Skäl: …"."""
    sentence = (
        f"{one_line(declaration.member.full_name)} anmälde jäv och deltog inte i "
        "handläggningen av ärendet."
    )
    reason = _sentence(declaration.reason)
    return f"{sentence} Skäl: {reason}" if reason else sentence


def _scoring_line(session: Session, item: AgendaItem) -> str | None:
    """The board's score against the threshold (a prioritisation must record it)."""
    from app.meetings.service import board_scoring

    scoring = board_scoring(session, item)
    if not scoring.complete:
        return None
    total = format_decimal(scoring.total, "#,##0.0", locale="sv_SE")
    basic = "alla grundkrav uppfyllda" if scoring.basic_ok else "alla grundkrav är inte uppfyllda"
    return f"{total} poäng av gränsen {scoring.threshold}; {basic}."


def _item_rows(
    session: Session, item: AgendaItem, names: dict[int, str]
) -> tuple[str, tuple[_Row, ...]]:
    """The paragraph's heading and its entries, in the order a secretary writes them."""
    rows: list[_Row] = []
    application = item.application
    if application is not None:
        reference = one_line(application.reference or "")
        heading = f"{reference} {one_line(application.title)}".strip()
        rows += [
            _Row("Sökande", (_applicant(application),)),
            _Row("Ärende", (_case_kind(application),)),
            _Row("Sökt belopp", (format_money(application.requested_ore),)),
        ]
    else:
        heading = one_line(item.title)

    if conflicts := _conflicts(session, item):
        rows.append(_Row("Jäv", tuple(map(_conflict_sentence, conflicts))))

    if application is None:
        if item.notes.strip():
            rows.append(_Row("Anteckningar", text_lines(item.notes)))
        return heading, tuple(rows)

    if item.removed_at is not None:
        rows.append(_Row("Beslut", ("Ärendet lyftes från dagordningen.",),
                         f"Skäl: {one_line(item.removal_reason)}"))  # fmt: skip
        return heading, tuple(rows)
    if item.participation:
        rows.append(_Row("Deltog i beslutet", _participation_lines(item, names)))
    if scoring := _scoring_line(session, item):
        rows.append(_Row("Poäng", (scoring,)))
    if item.outcome is None:
        rows.append(_Row("Beslut", ("Inget beslut har fattats i ärendet.",)))
        return heading, tuple(rows)
    decision = item.outcome.label
    if item.outcome.grants_money and item.amount_ore is not None:
        decision += f" med {format_money(item.amount_ore)}"
    votes = (item.votes_for, item.votes_against, item.votes_abstain)
    rows.append(_Row("Beslut", (_vote_sentence(*votes),) if any(votes) else (), f"{decision}."))
    if item.motivation.strip():
        rows.append(_Row("Motivering", text_lines(item.motivation)))
    if item.reservations.strip():
        rows.append(_Row("Reservation", text_lines(item.reservations)))
    return heading, tuple(rows)


def _compose(session: Session, meeting: Meeting) -> _Minutes:
    area = session.get(Area, meeting.area_id)
    area_name = one_line(area.name) if area is not None else ""
    members, present = _board(session, meeting)
    names = {member.id: one_line(member.full_name) for member in members}
    for item in meeting.items:  # someone who has since left the board keeps their name
        for voter in _voters(item):
            names.setdefault(int(voter["id"]), one_line(str(voter["name"])))

    paragraphs: list[_Paragraph] = []
    served: dict[tuple[int, int], list[str]] = defaultdict(list)
    for position, item in enumerate(meeting.items, start=1):
        number = f"§ {position}"
        heading, rows = _item_rows(session, item, names)
        paragraphs.append(_Paragraph(number, heading, rows))
        for pair in _stand_ins(item):
            served[pair].append(number)

    here = [m for m in members if present.get(m.id)]
    away = [m for m in members if not present.get(m.id)]
    adjusters = [one_line(m.full_name) for m in (meeting.adjuster_one, meeting.adjuster_two) if m]
    secretary = one_line(meeting.secretary_name)

    header = [_Row("Datum", (_long_date(meeting.held_on),))]
    if meeting.starts_at:
        header.append(_Row("Tid", (f"kl. {one_line(meeting.starts_at)}",)))
    header += [
        _Row("Plats", (one_line(meeting.place),)),
        _Row("Närvarande", tuple(_describe(m, names) for m in here) or ("–",)),
    ]
    if served:
        header.append(
            _Row(
                "Tjänstgörande ersättare",
                tuple(
                    f"{names.get(sub, '–')} för {names.get(ordinary, '–')} i {_join(numbers)}"
                    for (sub, ordinary), numbers in served.items()
                ),
            )
        )
    header += [
        _Row("Frånvarande", tuple(_describe(m, names) for m in away) or ("–",)),
        _Row("Sekreterare", (secretary or "–",)),
        _Row("Justerare", tuple(adjusters) or ("Ej utsedda",)),
    ]

    adjusted = meeting.adjusted_at
    return _Minutes(
        document_title=f"Protokoll LAG {meeting.held_on.isoformat()}",
        heading=HEADING,
        area_name=area_name,
        header=tuple(header),
        paragraphs=tuple(paragraphs),
        adjustment=f"Justerat {_long_date(_local_date(adjusted))}" if adjusted else "Ej justerat",
        signatures=(
            _Signature("Sekreterare", secretary),
            _Signature("Justerare", adjusters[0] if adjusters else ""),
            _Signature("Justerare", adjusters[1] if len(adjusters) > 1 else ""),
        ),
        footer=f"{area_name} · Protokoll {meeting.held_on.isoformat()}",
    )


# --- HTML ----------------------------------------------------------------------------------


def _html(minutes: _Minutes) -> str:
    """A standalone, printable document; the template autoescapes all user text."""
    return templates.env.get_template("meetings/minutes.html").render(minutes=minutes)


# --- PDF -----------------------------------------------------------------------------------

_LABEL_WIDTH = 42 * mm
_ROW_STYLE = TableStyle(
    [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 1),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
)


def _row_markup(row: _Row) -> str:
    strong = f"<b>{markup(row.strong)}</b>" if row.strong else ""
    body = markup_lines(row.lines)
    return "<br/>".join(filter(None, (strong, body)))


def _rows_table(rows: Iterable[_Row]) -> Table:
    table = Table(
        [
            [Paragraph(escape(row.label), pdf.CELL_LABEL), Paragraph(_row_markup(row), pdf.CELL)]
            for row in rows
        ],
        colWidths=[_LABEL_WIDTH, pdf.CONTENT_WIDTH - _LABEL_WIDTH],
        hAlign="LEFT",
        # A long motivation may be taller than a page; split inside the row rather than fail.
        splitInRow=1,
    )
    table.setStyle(_ROW_STYLE)
    return table


def _signatures(signatures: tuple[_Signature, ...]) -> Table:
    gap = 8 * mm
    width = (pdf.CONTENT_WIDTH - gap * (len(signatures) - 1)) / len(signatures)
    cells: list[Paragraph | str] = []
    widths: list[float] = []
    for index, signature in enumerate(signatures):
        if index:
            cells.append("")
            widths.append(gap)
        cells.append(
            Paragraph(f"{markup(signature.name)}<br/>{escape(signature.caption)}", pdf.CELL)
        )
        widths.append(width)
    table = Table([cells], colWidths=widths, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                *(
                    ("LINEABOVE", (column, 0), (column, 0), 0.75, colors.black)
                    for column in range(0, len(cells), 2)
                ),
            ]
        )
    )
    return table


def _pdf(minutes: _Minutes) -> bytes:
    story: list[Flowable] = [
        Paragraph(markup(minutes.area_name), pdf.AREA),
        Paragraph(escape(minutes.heading), pdf.H1),
        _rows_table(minutes.header),
    ]
    for paragraph in minutes.paragraphs:
        title = pdf.pdf_safe(f"{paragraph.number}  {paragraph.heading}")
        # One table per entry, so the heading stays with the first and pages break between.
        story += section(title, *(_rows_table([row]) for row in paragraph.rows))
    story.append(
        KeepTogether(
            [
                Spacer(1, 8 * mm),
                Paragraph(escape(minutes.adjustment), pdf.BOLD),
                Spacer(1, 14 * mm),
                _signatures(minutes.signatures),
            ]
        )
    )
    return pdf.build(
        minutes.document_title, minutes.area_name, minutes.heading, story, footer=minutes.footer
    )
