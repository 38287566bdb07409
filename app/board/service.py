"""The board's composition: who serves today, and whether the seats alone break the balance.

Per-item quorum and the 49 % rule after jäv belong to the meeting feature; this only checks the
standing composition, which must already keep every interest group at or below the limit.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.areas.models import Area
from app.audit import service as audit
from app.audit.service import Actor
from app.auth.models import User
from app.board.models import BoardMember, BoardRole, Sector
from app.board.rules import USUAL_RULES, DecisionRules
from app.core.forms import (
    FormResult,
    Validator,
    choice,
    iso_date,
    optional,
    optional_text,
    required,
    validate_form,
)
from app.core.i18n import DEFAULT_LANGUAGE, N_, use_language
from app.core.i18n import gettext as _
from app.core.params import parse_record_id


def decision_rules(session: Session, area_id: int) -> DecisionRules:
    """The area's quorum and balance rule, from its settings."""
    area = session.get_one(Area, area_id)
    return DecisionRules(area.quorum_percent, area.balance_limit_percent)


@dataclass(frozen=True)
class Composition:
    members: list[BoardMember]
    ordinary_by_sector: dict[Sector, int]
    rules: DecisionRules = USUAL_RULES

    @property
    def ordinary_total(self) -> int:
        return sum(self.ordinary_by_sector.values())

    def share_percent(self, sector: Sector) -> Decimal:
        if not self.ordinary_total:
            return Decimal(0)
        return (Decimal(self.ordinary_by_sector[sector]) * 100 / self.ordinary_total).quantize(
            Decimal("0.1")
        )

    @property
    def dominant_sectors(self) -> list[Sector]:
        """Sectors holding more than the area's limit of the ordinary seats (compared exactly)."""
        return [
            sector
            for sector in Sector
            if self.rules.dominates(self.ordinary_by_sector[sector], self.ordinary_total)
        ]


def composition(session: Session, area_id: int, today: date) -> Composition:
    members = [
        member
        for member in session.scalars(
            select(BoardMember)
            .where(BoardMember.area_id == area_id)
            .order_by(BoardMember.sector, BoardMember.full_name)
        )
        if member.serves_on(today)
    ]
    counts = dict.fromkeys(Sector, 0)
    for member in members:
        if member.role is not BoardRole.SUBSTITUTE:
            counts[member.sector] += 1
    return Composition(
        members=members, ordinary_by_sector=counts, rules=decision_rules(session, area_id)
    )


MEMBER_VALIDATORS: dict[str, Validator] = {
    "full_name": required(N_("Ange ledamotens namn.")),
    "represents": optional_text(200),
    "sector": choice(Sector, N_("Välj intressegrupp.")),
    "role": choice(BoardRole, N_("Välj roll.")),
    "term_start": iso_date(N_("Ange när mandatet börjar.")),
    "term_end": optional(iso_date(N_("Ange när mandatet slutar."))),
    "user": optional_text(12),
    "substitute_for": optional_text(12),
}


def add_member(
    session: Session, actor: Actor, area_id: int, raw: dict[str, str]
) -> tuple[BoardMember | None, FormResult]:
    """A seat on the board for a term, optionally tied to a login (so the member can declare jäv
    and vote from their own device) and, for an ersättare, to the member they stand in for."""
    result = validate_form(MEMBER_VALIDATORS, raw)
    cleaned, errors = result.cleaned, result.errors
    start, end = cleaned.get("term_start"), cleaned.get("term_end")
    if start and end and end < start:
        errors["term_end"] = _("Mandatet kan inte sluta innan det börjar.")
    user_id = substitute_for_id = None
    if cleaned.get("user"):
        user = _in_area(session, User, cleaned["user"], area_id)
        if user is None:
            errors["user"] = _("Välj en inloggning i området.")
        elif start and (held := _seat_of(session, user, start, end)):
            errors["user"] = _("Inloggningen hör redan till {name}s plats under mandatet.").format(
                name=held.full_name
            )
        else:
            user_id = user.id
    if cleaned.get("substitute_for"):
        ordinary = _in_area(session, BoardMember, cleaned["substitute_for"], area_id)
        if ordinary is None or not ordinary.role.is_ordinary:
            errors["substitute_for"] = _("Välj en ordinarie ledamot.")
        elif cleaned.get("role") is not BoardRole.SUBSTITUTE:
            errors["substitute_for"] = _("Bara en ersättare ersätter en ledamot.")
        elif cleaned.get("sector") is not ordinary.sector:
            errors["substitute_for"] = _("En ersättare ersätter en ledamot i samma intressegrupp.")
        else:
            substitute_for_id = ordinary.id
    if errors:
        return None, result
    member = BoardMember(
        area_id=area_id, full_name=cleaned["full_name"], represents=cleaned["represents"],
        sector=cleaned["sector"], role=cleaned["role"], term_start=start, term_end=end,
        user_id=user_id, substitute_for_id=substitute_for_id,
    )  # fmt: skip
    session.add(member)
    session.flush()
    with use_language(DEFAULT_LANGUAGE):  # the audit log is a record, written in Swedish
        summary = (f"{member.full_name} ({member.role.label.lower()}, "
                   f"{member.sector.label.lower()}) invald från {start.isoformat()}")  # fmt: skip
    audit.record(session, actor, area_id=area_id, entity_type="board_member",
                 entity_id=member.id, action="created", summary=summary)  # fmt: skip
    return member, result


def end_term(session: Session, actor: Actor, member: BoardMember, last_day: date) -> None:
    """A member leaves the board: the seat is kept (minutes name them), the term ends."""
    if last_day < member.term_start:
        raise ValueError("Mandatet kan inte sluta innan det börjar.")
    if member.term_end is not None and last_day > member.term_end:
        raise ValueError("Ett mandat kan inte förlängas här; registrera ett nytt.")
    member.term_end = last_day
    audit.record(session, actor, area_id=member.area_id, entity_type="board_member",
                 entity_id=member.id, action="term_ended",
                 summary=f"{member.full_name}s mandat slutar {last_day.isoformat()}")  # fmt: skip


def _seat_of(session: Session, user: User, start: date, end: date | None) -> BoardMember | None:
    """A seat the login already has in an overlapping term: one person, one seat, so their own
    votes and jäv are never mixed up with another seat's."""
    for seat in session.scalars(select(BoardMember).where(BoardMember.user_id == user.id)):
        if (seat.term_end is None or seat.term_end >= start) and (
            end is None or seat.term_start <= end
        ):
            return seat
    return None


def seat_for(session: Session, user_id: int | None, area_id: int, day: date) -> BoardMember | None:
    """The seat a login holds on ``day``."""
    if user_id is None:
        return None
    return next(
        (
            seat
            for seat in session.scalars(
                select(BoardMember).where(
                    BoardMember.user_id == user_id, BoardMember.area_id == area_id
                )
            )
            if seat.serves_on(day)
        ),
        None,
    )


def _in_area(session: Session, model: Any, raw_id: str, area_id: int) -> Any:
    try:
        record = session.get(model, parse_record_id(raw_id))
    except ValueError:
        return None
    return record if record is not None and record.area_id == area_id else None
