"""LAG meetings: from the agenda to adjusted minutes.

The board's rules (quorum, the 49 % balance, jäv) are pure functions in ``app.board.rules``; this
module feeds them the meeting's facts and refuses to record a decision they do not allow. A
decision takes effect only when the minutes are adjusted: then money is reserved or committed
under the same budget lock as every other decision, and the cases move on.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from app.applications import workflow
from app.applications.models import Application, ApplicationKind, ApplicationStatus
from app.applications.service import touch
from app.areas.models import ActionArea, BasicCondition, ProgrammePeriod
from app.audit import service as audit
from app.audit.service import Actor
from app.auth.models import Role
from app.board.models import BoardMember, BoardRole
from app.board.rules import DecisionRules, Participation, Seat, Situation, participation
from app.board.service import decision_rules, seat_for
from app.casework.models import DecisionProposal, ScoreProposal
from app.casework.service import (
    CaseError,
    Scoring,
    check_transition,
    scoring_from,
    threshold_for,
)
from app.config import Settings
from app.core.formatting import one_decimal
from app.core.forms import (
    FormResult,
    choice,
    iso_date,
    optional_kronor,
    optional_text,
    required,
    validate_form,
)
from app.core.i18n import DEFAULT_LANGUAGE, N_, use_language
from app.core.i18n import gettext as _
from app.core.money import format_money
from app.db import utcnow
from app.decisions import service as decisions
from app.decisions.models import DecisionBody, DecisionOutcome
from app.email.service import enqueue
from app.ledger import service as ledger
from app.ledger.models import LedgerKind
from app.meetings import messages
from app.meetings.minutes import render_minutes
from app.meetings.models import (
    AgendaItem,
    Attendance,
    ConflictDeclaration,
    ItemOutcome,
    ItemScore,
    Meeting,
    MeetingStatus,
    MinutesCorrection,
    Vote,
    VoteChoice,
)

# The adjusted minutes act with the board's authority.
BOARD = frozenset({Role.LAG_CHAIR.value})

# Which outcomes fit which kind of application, and the transition each makes at adjustment.
OUTCOMES = {
    ApplicationKind.LEADER_PROJECT: {
        ItemOutcome.PRIORITISED: "prioritise",
        ItemOutcome.NOT_PRIORITISED: "board_reject",
        ItemOutcome.POSTPONED: "postpone",
    },
    ApplicationKind.SMALL_GRANT: {
        ItemOutcome.APPROVED: "board_approve",
        ItemOutcome.PARTLY_APPROVED: "board_approve_partly",
        ItemOutcome.REJECTED: "board_reject",
        ItemOutcome.POSTPONED: "postpone",
    },
}
DECISION_OUTCOMES = {
    ItemOutcome.APPROVED: DecisionOutcome.APPROVED,
    ItemOutcome.PARTLY_APPROVED: DecisionOutcome.PARTLY_APPROVED,
    ItemOutcome.REJECTED: DecisionOutcome.REJECTED,
    ItemOutcome.NOT_PRIORITISED: DecisionOutcome.REJECTED,
}


def _record(session: Session, actor: Actor, meeting: Meeting, action: str, summary: str,
            reason: str | None = None) -> None:  # fmt: skip
    audit.record(session, actor, area_id=meeting.area_id, entity_type="meeting",
                 entity_id=meeting.id, action=action, summary=summary, reason=reason)  # fmt: skip


# --- Meetings and their agenda ---

MEETING_VALIDATORS = {
    "held_on": iso_date(N_("Ange mötesdag.")),
    "starts_at": optional_text(5),
    "place": required(N_("Ange plats eller möteslänk."), max_length=300),
    "secretary_name": optional_text(200),
}


def create_meeting(
    session: Session, actor: Actor, area_id: int, raw: dict[str, str], *, today: date
) -> tuple[Meeting | None, FormResult]:
    result = validate_form(MEETING_VALIDATORS, raw)
    held_on = result.cleaned.get("held_on")
    if held_on is not None and held_on < today:
        result.errors["held_on"] = _("Ett nytt möte kan inte ligga bakåt i tiden.")
    elif held_on is not None and held_on > today + timedelta(days=731):
        result.errors["held_on"] = _("Planera möten högst två år fram.")
    starts_at = result.cleaned.get("starts_at") or ""
    if starts_at and not _is_clock_time(starts_at):
        result.errors["starts_at"] = _("Ange tiden som TT:MM, t.ex. 18:00.")
    if not result.ok:
        return None, result
    meeting = Meeting(
        area_id=area_id,
        held_on=held_on,
        starts_at=starts_at,
        place=result.cleaned["place"],
        secretary_name=result.cleaned["secretary_name"] or actor.label,
        status=MeetingStatus.PLANNED,
        created_at=utcnow(),
    )
    session.add(meeting)
    session.flush()
    _record(session, actor, meeting, "meeting_created", f"Möte {held_on.isoformat()} planerat")
    return meeting, result


def _is_clock_time(text: str) -> bool:
    hours, _colon, minutes = text.partition(":")
    return (
        len(hours) == 2 and len(minutes) == 2 and hours.isdigit() and minutes.isdigit()
        and int(hours) < 24 and int(minutes) < 60
    )  # fmt: skip


def meetings_in_area(session: Session, area_id: int) -> list[Meeting]:
    return list(
        session.scalars(
            select(Meeting)
            .where(Meeting.area_id == area_id)
            .order_by(Meeting.held_on.desc(), Meeting.id.desc())
        )
    )


def get_meeting(
    session: Session, area_id: int, meeting_id: int, *, for_change: bool = False
) -> Meeting | None:
    """The meeting, if it is in the area. ``for_change`` locks its row: at a meeting many devices
    write at once (votes, jäv, the chair's decisions), and one at a time per meeting keeps the
    tally and the rules' checks consistent instead of failing a member's vote as stale."""
    query = select(Meeting).where(Meeting.id == meeting_id, Meeting.area_id == area_id)
    if for_change:
        query = query.with_for_update().execution_options(populate_existing=True)
    return session.scalar(query)


def _ensure_status(meeting: Meeting, *allowed: MeetingStatus) -> None:
    if meeting.status not in allowed:
        raise CaseError(
            _("Det går inte när mötet har status ”{status}”.").format(
                status=meeting.status.label.lower()
            )
        )


def _next_position(session: Session, meeting: Meeting) -> int:
    return (
        session.scalar(
            select(func.coalesce(func.max(AgendaItem.position), 0)).where(
                AgendaItem.meeting_id == meeting.id
            )
        )
        or 0
    ) + 1


def add_application(
    session: Session, actor: Actor, meeting: Meeting, application: Application,
    roles: frozenset[str],
) -> AgendaItem:  # fmt: skip
    """Put a case on the agenda. A case ready for decision is moved to "on a LAG meeting"; one
    already there (from the queue's batch action) just gets its place on this meeting."""
    _ensure_status(meeting, MeetingStatus.PLANNED, MeetingStatus.OPEN)
    if application.area_id != meeting.area_id:
        raise CaseError(_("Ärendet hör till ett annat Leaderområde."))
    if application.status is ApplicationStatus.READY_FOR_DECISION:
        check_transition(application, "put_on_agenda", roles)
        workflow.apply(session, actor, application, "put_on_agenda", roles,
                       summary=f"Uppsatt på LAG-mötet {meeting.held_on.isoformat()}")  # fmt: skip
    elif application.status is not ApplicationStatus.ON_AGENDA:
        raise CaseError(
            _("{reference} är inte klart för beslut (status ”{status}”).").format(
                reference=application.reference, status=application.status.label.lower()
            )
        )
    if _undecided_item(session, application) is not None:
        raise CaseError(
            _("{reference} står redan på ett möte som inte är avslutat.").format(
                reference=application.reference
            )
        )
    item = AgendaItem(
        area_id=meeting.area_id, meeting=meeting, position=_next_position(session, meeting),
        application=application, title=f"{application.reference} {application.title}",
    )  # fmt: skip
    session.add(item)
    session.flush()
    # Jäv follows the case, not the meeting: a member who declared it before stays out.
    earlier = session.scalars(
        select(ConflictDeclaration)
        .join(AgendaItem, ConflictDeclaration.item_id == AgendaItem.id)
        .where(AgendaItem.application_id == application.id, AgendaItem.id != item.id)
        .order_by(ConflictDeclaration.declared_at)
    )
    carried: dict[int, ConflictDeclaration] = {}
    for declaration in earlier:
        carried.setdefault(declaration.member_id, declaration)
    for declaration in carried.values():
        session.add(ConflictDeclaration(
            item_id=item.id, member_id=declaration.member_id, reason=declaration.reason,
            declared_by_user_id=declaration.declared_by_user_id, declared_at=utcnow(),
        ))  # fmt: skip
    _record(session, actor, meeting, "item_added", f"Ärende på dagordningen: {item.title}")
    return item


def _undecided_item(session: Session, application: Application) -> AgendaItem | None:
    return session.scalar(
        select(AgendaItem)
        .join(Meeting)
        .where(
            AgendaItem.application_id == application.id,
            Meeting.status != MeetingStatus.ADJUSTED,
            AgendaItem.effected_at.is_(None),
        )
    )


def add_free_item(
    session: Session, actor: Actor, meeting: Meeting, title: str, notes: str
) -> AgendaItem:
    """Information or other business (övriga frågor): recorded in the minutes, no decision."""
    _ensure_status(meeting, MeetingStatus.PLANNED, MeetingStatus.OPEN)
    result = validate_form(
        {"title": required(N_("Ange en rubrik."), 300), "notes": optional_text(5000)},
        {"title": title, "notes": notes},
    )
    if not result.ok:
        raise CaseError(next(iter(result.errors.values())))
    item = AgendaItem(
        area_id=meeting.area_id, meeting=meeting, position=_next_position(session, meeting),
        title=result.cleaned["title"], notes=result.cleaned["notes"],
    )  # fmt: skip
    session.add(item)
    session.flush()
    _record(session, actor, meeting, "item_added", f"Punkt på dagordningen: {item.title}")
    return item


# --- Who is there, who has jäv, who may vote ---


def members_serving(session: Session, meeting: Meeting) -> list[BoardMember]:
    return [member for member in _area_board(session, meeting) if member.serves_on(meeting.held_on)]


def _area_board(session: Session, meeting: Meeting) -> list[BoardMember]:
    """Every member of the area's board, serving on the meeting day or not."""
    return list(
        session.scalars(
            select(BoardMember)
            .where(BoardMember.area_id == meeting.area_id)
            .order_by(BoardMember.sector, BoardMember.full_name)
        )
    )


def attendance(session: Session, meeting: Meeting) -> dict[int, bool]:
    return {
        row.member_id: row.present
        for row in session.scalars(select(Attendance).where(Attendance.meeting_id == meeting.id))
    }


def record_attendance(
    session: Session, actor: Actor, meeting: Meeting, present_ids: set[int]
) -> None:
    """Närvaro: who is at the meeting (everyone else is recorded as absent)."""
    _ensure_status(meeting, MeetingStatus.PLANNED, MeetingStatus.OPEN)
    serving = {member.id: member for member in members_serving(session, meeting)}
    if unknown := present_ids - serving.keys():
        raise CaseError(_("Okänd ledamot: {member}.").format(member=sorted(unknown)[0]))
    rows = {
        row.member_id: row
        for row in session.scalars(select(Attendance).where(Attendance.meeting_id == meeting.id))
    }
    changed = []
    for member_id, member in serving.items():
        present = member_id in present_ids
        row = rows.get(member_id)
        if row is None:
            session.add(Attendance(meeting_id=meeting.id, member_id=member_id, present=present,
                                   recorded_at=utcnow()))  # fmt: skip
        elif row.present is not present:
            row.present, row.recorded_at = present, utcnow()
        else:
            continue
        changed.append(f"{member.full_name} {'närvarande' if present else 'frånvarande'}")
    if changed:
        _touch(meeting)
        _record(session, actor, meeting, "attendance", "Närvaro: " + ", ".join(changed))


def _touch(meeting: Meeting) -> None:
    # Any change at the meeting moves its version on, like a case's (optimistic locking).
    meeting.updated_at = utcnow()


def conflicts(session: Session, item: AgendaItem) -> list[ConflictDeclaration]:
    return list(
        session.scalars(select(ConflictDeclaration).where(ConflictDeclaration.item_id == item.id))
    )


def declare_conflict(
    session: Session, actor: Actor, item: AgendaItem, member: BoardMember, reason: str
) -> ConflictDeclaration:
    """Jäv on an item, declared by the member or recorded by the chair. From then on the member
    takes no part in the item: no internal assessment, score or vote."""
    meeting = item.meeting
    _ensure_status(meeting, MeetingStatus.PLANNED, MeetingStatus.OPEN)
    if item.decided_at is not None:
        raise CaseError(_("Punkten är redan beslutad."))
    if member.area_id != meeting.area_id:
        raise CaseError(_("Ledamoten hör till ett annat Leaderområde."))
    why = required(N_("Ange varför (t.ex. styrelseledamot i den sökande föreningen)."), 2000)
    result = validate_form({"reason": why}, {"reason": reason})
    if not result.ok:
        raise CaseError(result.errors["reason"])
    if any(c.member_id == member.id for c in conflicts(session, item)):
        raise CaseError(_("{name} har redan anmält jäv i punkten.").format(name=member.full_name))
    declaration = ConflictDeclaration(
        item_id=item.id, member_id=member.id, reason=result.cleaned["reason"],
        declared_by_user_id=actor.user_id, declared_at=utcnow(),
    )  # fmt: skip
    session.add(declaration)
    # A vote or a score already given no longer counts.
    for row in [
        *session.scalars(select(Vote).where(Vote.item_id == item.id, Vote.member_id == member.id)),
        *session.scalars(
            select(ItemScore).where(ItemScore.item_id == item.id, ItemScore.member_id == member.id)
        ),
    ]:
        session.delete(row)
    _touch(meeting)
    _record(session, actor, meeting, "conflict", f"{member.full_name} anmälde jäv i "
            f"punkt {item.position} ({item.title})", reason=declaration.reason)  # fmt: skip
    return declaration


def has_conflict(session: Session, application_id: int, member: BoardMember) -> bool:
    """Whether the member has declared jäv on this case at any meeting (then they may not see
    its internal assessment)."""
    return (
        session.scalar(
            select(ConflictDeclaration.id)
            .join(AgendaItem, ConflictDeclaration.item_id == AgendaItem.id)
            .where(
                AgendaItem.application_id == application_id,
                ConflictDeclaration.member_id == member.id,
            )
            .limit(1)
        )
        is not None
    )


def ensure_not_conflicted(session: Session, actor: Actor, item: AgendaItem) -> None:
    """Whoever leads or records an item must not have jäv in it (a chair with jäv hands the item
    to the vice chair or the secretary)."""
    seat = seat_for(session, actor.user_id, item.area_id, item.meeting.held_on)
    if seat is not None and seat.id in situation(session, item).conflicted:
        raise CaseError(_("Du har anmält jäv i punkten och kan inte leda den."))


def situation(session: Session, item: AgendaItem) -> Situation:
    meeting = item.meeting
    return _situation(
        members_serving(session, meeting), attendance(session, meeting), conflicts(session, item)
    )


def _situation(
    members: list[BoardMember], present: dict[int, bool],
    declarations: list[ConflictDeclaration],
) -> Situation:  # fmt: skip
    seats = tuple(
        Seat(member.id, member.full_name, member.sector, member.role.is_ordinary,
             member.substitute_for_id)
        for member in members
    )  # fmt: skip
    return Situation(
        seats=seats,
        present=frozenset(member_id for member_id, here in present.items() if here),
        conflicted=frozenset(c.member_id for c in declarations),
    )


def who_decides(session: Session, item: AgendaItem) -> Participation:
    """Who may vote on the item now, and whether the board may decide it under the area's
    quorum and balance rule."""
    return participation(situation(session, item), decision_rules(session, item.meeting.area_id))


# --- The board's scoring ---


@dataclass(frozen=True)
class BoardScoreLine:
    criterion_id: int
    name: str
    weight: int
    max_points: int
    joint: int | None  # the board's joint points, recorded by the chair
    by_members: tuple[int, ...]  # members' own points

    @property
    def points(self) -> Decimal | None:
        """The joint points if recorded, otherwise the mean of the members' points."""
        if self.joint is not None:
            return Decimal(self.joint)
        if not self.by_members:
            return None
        return Decimal(sum(self.by_members)) / len(self.by_members)


@dataclass(frozen=True)
class BoardScoring:
    lines: list[BoardScoreLine]
    threshold: int
    basic: dict[str, bool]
    # Grundkrav: the period's active basic conditions, answered yes/no before scoring.
    conditions: tuple[BasicCondition, ...]

    @property
    def basic_ok(self) -> bool:
        return all(self.basic.get(condition.key) is True for condition in self.conditions)

    @property
    def complete(self) -> bool:
        return bool(self.lines) and all(line.points is not None for line in self.lines)

    @property
    def total(self) -> Decimal:
        return sum(((line.points or 0) * line.weight for line in self.lines), Decimal(0))

    @property
    def passes(self) -> bool:
        return self.basic_ok and self.complete and self.total >= self.threshold


def board_scoring(session: Session, item: AgendaItem) -> BoardScoring:
    application = item.application
    if application is None:
        raise CaseError(_("Punkten har inget ärende att poängsätta."))
    scores = list(session.scalars(select(ItemScore).where(ItemScore.item_id == item.id)))
    return _board_scoring(item, application, scores, who_decides(session, item))


def _board_scoring(
    item: AgendaItem, application: Application, scores: list[ItemScore], who: Participation
) -> BoardScoring:
    # Members' own points count only while they take part in the item (not after jäv, not when
    # they have left the meeting).
    taking_part = {seat.member_id for seat in who.voters}
    scores = [s for s in scores if s.member_id is None or s.member_id in taking_part]
    lines = [
        BoardScoreLine(
            criterion.id, criterion.name, criterion.weight, criterion.max_points,
            next((s.points for s in scores
                  if s.criterion_id == criterion.id and s.member_id is None), None),
            tuple(s.points for s in scores
                  if s.criterion_id == criterion.id and s.member_id is not None),
        )
        for criterion in application.action_area.period.criteria
    ]  # fmt: skip
    return BoardScoring(
        lines, threshold_for(application.action_area), item.basic_conditions or {},
        tuple(application.action_area.period.active_basic_conditions),
    )  # fmt: skip


def ranking(session: Session, meeting: Meeting) -> dict[int, int]:
    """Place per item among the meeting's competing applications in the same action area, by
    the board's weighted total (1 = highest); unscored items have no place."""
    return places(
        (item, board_scoring(session, item)) for item in meeting.items if item.application
    )


def places(scored: Iterable[tuple[AgendaItem, BoardScoring]]) -> dict[int, int]:
    """``ranking`` from scorings already worked out (the meeting page has them at hand)."""
    totals: dict[int, list[tuple[Decimal, int]]] = {}
    for item, scoring in scored:
        if item.application is not None and scoring.complete:
            totals.setdefault(item.application.action_area_id, []).append((scoring.total, item.id))
    places = {}
    for competing in totals.values():
        for place, (_total, item_id) in enumerate(sorted(competing, key=lambda t: -t[0]), 1):
            places[item_id] = place
    return places


def score_item(
    session: Session, actor: Actor, item: AgendaItem, member: BoardMember | None,
    raw: dict[str, str],
) -> FormResult:  # fmt: skip
    """Points per criterion (``points_<id>``) with a justification, by a member taking part in
    the item or — with no member — the board's joint score recorded by the chair; the joint
    score also answers the basic conditions (``basic_<key>`` = yes/no)."""
    _ensure_status(item.meeting, MeetingStatus.PLANNED, MeetingStatus.OPEN)
    if item.decided_at is not None:
        raise CaseError(_("Punkten är redan beslutad."))
    if member is not None and member.id in situation(session, item).conflicted:
        raise CaseError(
            _("{name} har anmält jäv och får inte poängsätta ärendet.").format(
                name=member.full_name
            )
        )
    if member is not None and member.id not in {
        seat.member_id for seat in who_decides(session, item).voters
    }:
        raise CaseError(
            _("{name} deltar inte i ärendet och kan inte poängsätta det.").format(
                name=member.full_name
            )
        )
    if member is None:
        ensure_not_conflicted(session, actor, item)
    scoring = board_scoring(session, item)
    result = FormResult(raw=dict(raw))
    cleaned: dict[int, tuple[int, str]] = {}
    for line in scoring.lines:
        text = raw.get(f"points_{line.criterion_id}", "").strip()
        why = raw.get(f"justification_{line.criterion_id}", "").strip()
        if not text and not why:
            continue
        if not (text.isascii() and text.isdigit()) or int(text) > line.max_points:
            result.errors[f"points_{line.criterion_id}"] = _(
                "Ange ett heltal från 0 till {maximum}."
            ).format(maximum=line.max_points)
        elif not why or len(why) > 3000:
            result.errors[f"justification_{line.criterion_id}"] = (
                _("Motivera poängen.") if not why else _("Högst 3000 tecken.")
            )
        else:
            cleaned[line.criterion_id] = (int(text), why)
    basic = dict(item.basic_conditions or {})
    if member is None:
        for condition in scoring.conditions:
            answer = raw.get(f"basic_{condition.key}", "")
            if answer in ("yes", "no"):
                basic[condition.key] = answer == "yes"
    if not result.ok:
        return result
    existing = {
        s.criterion_id: s
        for s in session.scalars(
            select(ItemScore).where(
                ItemScore.item_id == item.id,
                ItemScore.member_id.is_(None) if member is None
                else ItemScore.member_id == member.id,
            )
        )
    }  # fmt: skip
    for criterion_id, (points, why) in cleaned.items():
        score = existing.get(criterion_id) or ItemScore(
            item_id=item.id, member_id=member.id if member else None, criterion_id=criterion_id
        )
        score.points, score.justification, score.scored_at = points, why, utcnow()
        session.add(score)
    item.basic_conditions = basic
    session.flush()
    _touch(item.meeting)
    who = member.full_name if member else "Styrelsens gemensamma poäng"
    _record(session, actor, item.meeting, "item_scored",
            f"Punkt {item.position}: {who} poängsatte {len(cleaned)} kriterier")  # fmt: skip
    return result


# --- Votes and the decision ---


@dataclass(frozen=True)
class Tally:
    votes_for: int
    against: int
    abstain: int
    missing: list[str]  # voters who have not voted yet


def tally(session: Session, item: AgendaItem, who: Participation) -> Tally:
    votes = {
        vote.member_id: vote.choice
        for vote in session.scalars(select(Vote).where(Vote.item_id == item.id))
    }
    return _tally(votes, who)


def _tally(votes: dict[int, VoteChoice], who: Participation) -> Tally:
    counted = [votes.get(seat.member_id) for seat in who.voters]
    return Tally(
        votes_for=counted.count(VoteChoice.FOR),
        against=counted.count(VoteChoice.AGAINST),
        abstain=counted.count(VoteChoice.ABSTAIN),
        missing=[seat.name for seat in who.voters if seat.member_id not in votes],
    )


# --- The meeting page: the agenda's facts loaded once for all items ---


@dataclass(frozen=True)
class Agenda:
    """What the meeting page and an item's live panel need, loaded with one query per kind of
    row for the whole agenda (not per item), so the page's statement count does not grow with
    the agenda. The per-item answers come from the same pure helpers as the session functions
    above (``situation``, ``board_scoring``, ``tally``), so the rules are computed one way."""

    # The whole board, members who no longer serve included, so that a declaration's member is
    # found in the session (by the many-to-one's lazy load) rather than queried per declaration.
    board: list[BoardMember]
    members: list[BoardMember]  # serving on the meeting day
    attendance: dict[int, bool]  # member_id -> present
    # Holds the items' applications: the session's identity map is weak, and item.application
    # is answered from it without a query only while the rows are referenced.
    applications: list[Application]
    conflicts: dict[int, list[ConflictDeclaration]]  # item_id -> declarations
    votes: dict[int, dict[int, VoteChoice]]  # item_id -> member_id -> choice
    scores: dict[int, list[ItemScore]]  # item_id -> the board's scores
    proposals: dict[int, DecisionProposal]  # application_id -> the handler's current proposal
    score_proposals: dict[int, dict[int, ScoreProposal]]  # application_id -> criterion_id -> row
    rules: DecisionRules  # the area's quorum and balance rule
    # Cases on which the viewing member declared jäv at any meeting (jäv follows the case).
    viewer_conflicted: frozenset[int] = field(default_factory=frozenset)

    def who(self, item: AgendaItem) -> Participation:
        return participation(
            _situation(self.members, self.attendance, self.conflicts.get(item.id, [])),
            self.rules,
        )

    def board_scoring(self, item: AgendaItem, who: Participation) -> BoardScoring:
        if item.application is None:
            raise CaseError(_("Punkten har inget ärende att poängsätta."))
        return _board_scoring(item, item.application, self.scores.get(item.id, []), who)

    def tally(self, item: AgendaItem, who: Participation) -> Tally:
        return _tally(self.votes.get(item.id, {}), who)

    def handler_scoring(self, application: Application) -> Scoring:
        return scoring_from(application, self.score_proposals.get(application.id, {}))


def load_agenda(session: Session, meeting: Meeting, viewer: BoardMember | None) -> Agenda:
    """The agenda's facts for ``viewer`` (the logged-in user's seat, if any): a constant number
    of statements whatever the agenda's size."""
    board = _area_board(session, meeting)
    item_ids = [item.id for item in meeting.items]
    application_ids = [item.application_id for item in meeting.items if item.application_id]
    applications = list(
        session.scalars(
            select(Application)
            .where(Application.id.in_(application_ids))
            .options(
                joinedload(Application.action_area)
                .joinedload(ActionArea.period)
                .selectinload(ProgrammePeriod.criteria),
                joinedload(Application.action_area)
                .joinedload(ActionArea.period)
                .selectinload(ProgrammePeriod.basic_conditions),
            )
        ).unique()
    )
    conflicts: dict[int, list[ConflictDeclaration]] = {}
    for declaration in session.scalars(
        select(ConflictDeclaration)
        .where(ConflictDeclaration.item_id.in_(item_ids))
        .order_by(ConflictDeclaration.id)
    ):
        conflicts.setdefault(declaration.item_id, []).append(declaration)
    votes: dict[int, dict[int, VoteChoice]] = {}
    for vote in session.scalars(select(Vote).where(Vote.item_id.in_(item_ids))):
        votes.setdefault(vote.item_id, {})[vote.member_id] = vote.choice
    scores: dict[int, list[ItemScore]] = {}
    for score in session.scalars(
        select(ItemScore).where(ItemScore.item_id.in_(item_ids)).order_by(ItemScore.id)
    ):
        scores.setdefault(score.item_id, []).append(score)
    proposals: dict[int, DecisionProposal] = {}
    for proposal in session.scalars(
        select(DecisionProposal)
        .where(DecisionProposal.application_id.in_(application_ids))
        .order_by(DecisionProposal.proposed_at.desc(), DecisionProposal.id.desc())
    ):
        proposals.setdefault(proposal.application_id, proposal)  # the newest is the current one
    score_proposals: dict[int, dict[int, ScoreProposal]] = {}
    for row in session.scalars(
        select(ScoreProposal).where(ScoreProposal.application_id.in_(application_ids))
    ):
        score_proposals.setdefault(row.application_id, {})[row.criterion_id] = row
    viewer_conflicted: frozenset[int] = frozenset()
    if viewer is not None and application_ids:
        viewer_conflicted = frozenset(
            session.scalars(
                select(AgendaItem.application_id)
                .join(ConflictDeclaration, ConflictDeclaration.item_id == AgendaItem.id)
                .where(
                    AgendaItem.application_id.in_(application_ids),
                    ConflictDeclaration.member_id == viewer.id,
                )
                .distinct()
            )
        )
    return Agenda(
        board=board,
        members=[member for member in board if member.serves_on(meeting.held_on)],
        attendance=attendance(session, meeting),
        applications=applications,
        conflicts=conflicts,
        votes=votes,
        scores=scores,
        proposals=proposals,
        score_proposals=score_proposals,
        rules=decision_rules(session, meeting.area_id),
        viewer_conflicted=viewer_conflicted,
    )


def cast_vote(
    session: Session, actor: Actor, item: AgendaItem, member: BoardMember, choice: str
) -> Vote:
    """A member votes (from their own device, or the chair records it). Only those who may take
    part in the item can vote; a new vote replaces the member's earlier one."""
    _ensure_status(item.meeting, MeetingStatus.OPEN)
    if item.application_id is None:
        raise CaseError(_("Punkten har inget beslut att rösta om."))
    if item.decided_at is not None:
        raise CaseError(_("Punkten är redan beslutad."))
    try:
        vote_choice = VoteChoice(choice)
    except ValueError:
        raise CaseError(_("Välj ja, nej eller avstår.")) from None
    who = who_decides(session, item)
    if member.id not in {seat.member_id for seat in who.voters}:
        raise CaseError(
            _("{name} deltar inte i beslutet i den här punkten.").format(name=member.full_name)
        )
    own = member.user_id is not None and member.user_id == actor.user_id
    if not own:
        ensure_not_conflicted(session, actor, item)
    vote = session.scalar(select(Vote).where(Vote.item_id == item.id, Vote.member_id == member.id))
    if vote is not None and not own and vote.cast_by_user_id == member.user_id is not None:
        raise CaseError(
            _("{name} har röstat själv; rösten kan bara ändras av hen.").format(
                name=member.full_name
            )
        )
    if vote is None:
        vote = Vote(item_id=item.id, member_id=member.id, choice=vote_choice)
        session.add(vote)
    vote.choice, vote.cast_at, vote.cast_by_user_id = vote_choice, utcnow(), actor.user_id
    _touch(item.meeting)
    with use_language(DEFAULT_LANGUAGE):  # the audit log is a record, written in Swedish
        summary = (f"Punkt {item.position}: {member.full_name} röstade "
                   f"{vote_choice.label.lower()}"
                   + ("" if own else f" (registrerat av {actor.label})"))  # fmt: skip
    _record(session, actor, item.meeting, "vote", summary)
    return vote


DECISION_VALIDATORS = {
    "outcome": choice(ItemOutcome, N_("Välj ett beslut.")),
    "amount": optional_kronor,
    "motivation": required(N_("Skriv en motivering."), max_length=5000),
    "reservations": optional_text(3000),
}


def decide_item(
    session: Session, actor: Actor, item: AgendaItem, raw: dict[str, str]
) -> FormResult:
    """Record the board's decision on an application item: refused, with the exact reason, when
    the board is not quorate for the item or an interest group holds more than 49 % of the
    votes; when the votes do not carry it; or when the money does not fit."""
    meeting = item.meeting
    _ensure_status(meeting, MeetingStatus.OPEN)
    application = item.application
    if application is None:
        raise CaseError(_("Punkten har inget ärende att besluta om."))
    if item.decided_at is not None:
        raise CaseError(_("Punkten är redan beslutad."))
    if application.status is not ApplicationStatus.ON_AGENDA:
        raise CaseError(
            _(
                "{reference} har status ”{status}” och kan inte beslutas här; lyft punkten från "
                "dagordningen."
            ).format(reference=application.reference, status=application.status.label.lower())
        )
    ensure_not_conflicted(session, actor, item)
    who = who_decides(session, item)
    if who.problems:
        raise CaseError(" ".join(who.problems))
    result = validate_form(DECISION_VALIDATORS, raw)
    outcome, amount = result.cleaned.get("outcome"), result.cleaned.get("amount")
    allowed = OUTCOMES[application.kind]
    if outcome is not None and outcome not in allowed:
        result.errors["outcome"] = _("Välj {outcomes} för {kind}.").format(
            outcomes=", ".join(o.label.lower() for o in allowed),
            kind=application.kind.label.lower(),
        )
    if result.ok and outcome is ItemOutcome.PRIORITISED:
        scoring = board_scoring(session, item)
        if not scoring.passes:
            result.errors["outcome"] = _(
                "Ett Leaderprojekt prioriteras först när alla grundkrav är uppfyllda och "
                "poängen når gränsen {threshold} (nu {total})."
            ).format(threshold=scoring.threshold, total=one_decimal(scoring.total))
    if result.ok:
        _check_amount(session, meeting, application, outcome, amount, result)
    counted = tally(session, item, who)
    if result.ok and counted.missing:
        result.errors["votes"] = _("Alla som deltar har inte röstat: {names}").format(
            names=", ".join(counted.missing)
        )
    elif (
        result.ok
        and outcome is not ItemOutcome.POSTPONED
        and not carried(session, item, who, counted)
    ):
        result.errors["votes"] = _(
            "Förslaget har inte majoritet: {votes_for} ja, {against} nej."
        ).format(votes_for=counted.votes_for, against=counted.against)
    if not result.ok:
        return result
    item.outcome, item.amount_ore = outcome, amount if outcome.grants_money else None
    item.motivation = result.cleaned["motivation"]
    item.reservations = result.cleaned["reservations"]
    item.votes_for, item.votes_against, item.votes_abstain = (
        counted.votes_for, counted.against, counted.abstain,
    )  # fmt: skip
    item.participation = {
        "voters": [{"id": s.member_id, "name": s.name, "sector": s.sector.value}
                   for s in who.voters],
        "stand_ins": {str(k): v for k, v in who.stand_ins.items()},
        "left_out": [{"id": s.member_id, "name": s.name} for s in who.left_out],
        # The rule the decision was taken under, for the minutes (the area may change it later).
        "balance_limit_percent": decision_rules(session, meeting.area_id).balance_limit_percent,
    }  # fmt: skip
    item.decided_at, item.decided_by_user_id = utcnow(), actor.user_id
    _touch(meeting)
    with use_language(DEFAULT_LANGUAGE):  # the audit log is a record, written in Swedish
        money = f" {format_money(amount)}" if outcome.grants_money and amount else ""
        summary = (
            f"Punkt {item.position}: {outcome.label.lower()}{money} "
            f"({counted.votes_for} ja, {counted.against} nej, {counted.abstain} avstår)"
        )
    _record(session, actor, meeting, "item_decided", summary, reason=item.motivation)
    return result


def carried(session: Session, item: AgendaItem, who: Participation, counted: Tally) -> bool:
    """The votes are on the proposed decision: it carries with more yes than no; at a tie the
    chair's vote decides (ordförandens utslagsröst), if the chair takes part."""
    if counted.votes_for != counted.against:
        return counted.votes_for > counted.against
    chairs = {
        member.id
        for member in session.scalars(
            select(BoardMember).where(
                BoardMember.id.in_([seat.member_id for seat in who.voters]),
                BoardMember.role == BoardRole.CHAIR,
            )
        )
    }
    if not chairs or counted.votes_for == 0:
        return False
    vote = session.scalar(select(Vote).where(Vote.item_id == item.id, Vote.member_id.in_(chairs)))
    return vote is not None and vote.choice is VoteChoice.FOR


def _check_amount(
    session: Session, meeting: Meeting, application: Application, outcome: ItemOutcome,
    amount: int | None, result: FormResult,
) -> None:  # fmt: skip
    """A grant needs an amount within what was sought (and, for småstöd, the pot's limits) that
    fits what is left once the meeting's earlier grants are counted. The ledger checks again,
    under its lock, when the minutes are adjusted."""
    if not outcome.grants_money:
        if amount is not None:
            result.errors["amount"] = _("Inget belopp vid det här beslutet; lämna fältet tomt.")
        return
    if amount is None:
        result.errors["amount"] = _("Ange beloppet.")
        return
    requested = application.requested_ore
    if outcome is ItemOutcome.APPROVED and amount != requested:
        result.errors["amount"] = _("Beviljas ger det sökta beloppet, {requested}.").format(
            requested=format_money(requested)
        )
        return
    if amount > requested or (outcome is ItemOutcome.PARTLY_APPROVED and amount == requested):
        result.errors["amount"] = _("Beloppet ska vara lägre än det sökta, {requested}.").format(
            requested=format_money(requested)
        )
        return
    umbrella = application.umbrella_project
    if umbrella is not None and not umbrella.min_grant_ore <= amount <= umbrella.max_grant_ore:
        result.errors["amount"] = _("Stöd ur {pot} är minst {minimum} och högst {maximum}.").format(
            pot=umbrella.name,
            minimum=format_money(umbrella.min_grant_ore),
            maximum=format_money(umbrella.max_grant_ore),
        )
        return
    pending = sum(
        other.amount_ore or 0
        for other in session.scalars(
            select(AgendaItem).where(
                AgendaItem.area_id == meeting.area_id,
                AgendaItem.decided_at.is_not(None),
                AgendaItem.effected_at.is_(None),
                AgendaItem.removed_at.is_(None),
                AgendaItem.amount_ore.is_not(None),
            )
        )
        if other.application is not None and _same_budget(other.application, application)
    )
    if umbrella is not None and application.kind is ApplicationKind.SMALL_GRANT:
        name, left = umbrella.name, ledger.pot_balance(session, umbrella).remaining_ore
        message = _(
            "Beloppet {amount} ryms inte: potten {name} har {left} kvar efter LAG:s beslut som "
            "ännu inte är justerade."
        )
    else:
        area = application.action_area
        name, left = area.name, ledger.action_area_balance(session, area).remaining_ore
        message = _(
            "Beloppet {amount} ryms inte: insatsområdet {name} har {left} kvar efter LAG:s beslut "
            "som ännu inte är justerade."
        )
    if amount > left - pending:
        result.errors["amount"] = message.format(
            amount=format_money(amount), name=name, left=format_money(max(left - pending, 0))
        )


def _same_budget(one: Application, other: Application) -> bool:
    if one.kind is ApplicationKind.SMALL_GRANT and other.kind is ApplicationKind.SMALL_GRANT:
        return one.umbrella_project_id == other.umbrella_project_id
    return (
        one.kind is other.kind is ApplicationKind.LEADER_PROJECT
        and one.action_area_id == other.action_area_id
    )


def remove_item(session: Session, actor: Actor, item: AgendaItem, reason: str) -> None:
    """Lyft från dagordningen: the case is not dealt with at this meeting (the board cannot be
    quorate for it, or it was withdrawn) and, if it is still on the agenda, goes back to wait for
    a later meeting. No vote is needed: nothing is decided."""
    _ensure_status(item.meeting, MeetingStatus.PLANNED, MeetingStatus.OPEN)
    if item.decided_at is not None or item.removed_at is not None:
        raise CaseError(_("Punkten är redan beslutad eller lyft."))
    result = validate_form({"reason": required(N_("Ange varför punkten lyfts."), 2000)},
                           {"reason": reason})  # fmt: skip
    if not result.ok:
        raise CaseError(result.errors["reason"])
    item.removed_at, item.removal_reason = utcnow(), result.cleaned["reason"]
    application = item.application
    if application is not None and application.status is ApplicationStatus.ON_AGENDA:
        workflow.apply(session, actor, application, "postpone", BOARD,
                       summary=f"Lyft från LAG-mötet {item.meeting.held_on}",
                       reason=item.removal_reason)  # fmt: skip
    _touch(item.meeting)
    summary = f"Punkt {item.position} lyftes från dagordningen"
    _record(session, actor, item.meeting, "item_removed", summary, reason=item.removal_reason)


def undo_decision(session: Session, actor: Actor, item: AgendaItem, reason: str) -> None:
    """Take back a decision before the minutes are adjusted (e.g. the money is no longer there
    when adjusting): the item is open again and a closed meeting reopens for it."""
    meeting = item.meeting
    _ensure_status(meeting, MeetingStatus.OPEN, MeetingStatus.CLOSED)
    if item.decided_at is None:
        raise CaseError(_("Punkten har inget beslut att ta tillbaka."))
    result = validate_form({"reason": required(N_("Ange varför beslutet tas tillbaka."), 2000)},
                           {"reason": reason})  # fmt: skip
    if not result.ok:
        raise CaseError(result.errors["reason"])
    with use_language(DEFAULT_LANGUAGE):  # the audit log is a record, written in Swedish
        summary = f"Punkt {item.position}: beslutet ({item.outcome.label.lower()}) togs tillbaka"
    item.outcome = item.amount_ore = item.decided_at = item.participation = None
    item.votes_for = item.votes_against = item.votes_abstain = 0
    item.motivation = item.reservations = ""
    if meeting.status is MeetingStatus.CLOSED:
        meeting.status = MeetingStatus.OPEN
    _touch(meeting)
    _record(session, actor, meeting, "decision_undone", summary, reason=result.cleaned["reason"])


# --- Opening, closing and adjusting ---


def open_meeting(session: Session, actor: Actor, meeting: Meeting, *, today: date) -> None:
    _ensure_status(meeting, MeetingStatus.PLANNED)
    if meeting.held_on > today:
        raise CaseError(
            _("Mötet kan öppnas tidigast på mötesdagen, {day}.").format(
                day=meeting.held_on.isoformat()
            )
        )
    if not attendance(session, meeting):
        raise CaseError(_("Registrera närvaron innan mötet öppnas."))
    meeting.status, meeting.opened_at = MeetingStatus.OPEN, utcnow()
    _record(session, actor, meeting, "meeting_opened", "Mötet öppnades")


def close_meeting(
    session: Session, actor: Actor, meeting: Meeting, adjuster_ids: list[int]
) -> None:
    """Close the meeting with two adjusters (justerare) among those present; every case on the
    agenda must have a decision (postponing is one)."""
    _ensure_status(meeting, MeetingStatus.OPEN)
    if undecided := [
        i.title for i in meeting.items if i.application_id and not i.decided_at and not i.removed_at
    ]:
        raise CaseError(
            _(
                "Besluta om alla ärenden först (bordlägg eller lyft det som ska vänta): {items}."
            ).format(items=", ".join(undecided))
        )
    present = {member_id for member_id, here in attendance(session, meeting).items() if here}
    if len(set(adjuster_ids)) != 2 or not set(adjuster_ids) <= present:
        raise CaseError(_("Välj två olika justerare bland de närvarande."))
    meeting.adjuster_one_id, meeting.adjuster_two_id = adjuster_ids
    meeting.status, meeting.closed_at = MeetingStatus.CLOSED, utcnow()
    _record(session, actor, meeting, "meeting_closed", "Mötet avslutades")


@dataclass(frozen=True)
class Adjusted:
    reserved_ore: int
    committed_ore: int
    decisions: int


def adjust_minutes(
    session: Session, settings: Settings, actor: Actor, meeting: Meeting
) -> Adjusted:
    """Justering: the decisions take effect. A prioritised project's amount is reserved, an
    approved småstöd committed (each under the ledger's lock; if the money is no longer there,
    nothing is adjusted and the reason is given), the cases move on, applicants of småstöd get
    the decision letter, and the minutes are stored and locked."""
    _ensure_status(meeting, MeetingStatus.CLOSED)
    reserved = committed = count = 0
    # The board's decisions are signed by its chair, not by whoever clicks "adjusted".
    chair_name = next(
        (m.full_name for m in members_serving(session, meeting) if m.role is BoardRole.CHAIR),
        "LAG-styrelsen",
    )
    for item in meeting.items:
        application = item.application
        if application is None or item.outcome is None or item.removed_at is not None:
            continue
        if application.status is not ApplicationStatus.ON_AGENDA:
            # Withdrawn or taken back after the meeting decided: nothing to carry out.
            item.effected_at = utcnow()
            with use_language(DEFAULT_LANGUAGE):  # the audit log is a record, in Swedish
                summary = (f"Punkt {item.position}: beslutet verkställdes inte, ärendet har "
                           f"status ”{application.status.label.lower()}”")  # fmt: skip
            _record(session, actor, meeting, "item_lapsed", summary)
            continue
        name = OUTCOMES[application.kind][item.outcome]
        period = application.action_area.period
        try:
            if item.outcome is ItemOutcome.PRIORITISED:
                ledger.record_entry(
                    session, actor, period=period, kind=LedgerKind.RESERVATION,
                    amount_ore=item.amount_ore or 0, application=application,
                    reason=f"LAG prioriterade {application.reference}, möte {meeting.held_on}",
                )  # fmt: skip
                reserved += item.amount_ore or 0
        except ledger.BudgetError as exc:
            raise CaseError(
                _("{reference}: {message}").format(
                    reference=application.reference, message=exc.message
                )
            ) from None
        letter = False
        if item.outcome is ItemOutcome.PRIORITISED or item.outcome is ItemOutcome.POSTPONED:
            with use_language(DEFAULT_LANGUAGE):  # the case history is a record, in Swedish
                summary = f"LAG-mötet {meeting.held_on}: {item.outcome.label.lower()}"
            workflow.apply(session, actor, application, name, BOARD, summary=summary,
                           reason=item.motivation)  # fmt: skip
        else:
            decision = decisions.record_decision(
                session, actor, application, body=DecisionBody.LAG, signed_by=chair_name,
                outcome=DECISION_OUTCOMES[item.outcome], amount_ore=item.amount_ore,
                motivation=item.motivation, decided_on=meeting.held_on, transition=name,
                roles=BOARD,
            )  # fmt: skip
            committed += item.amount_ore or 0
            if application.kind is ApplicationKind.SMALL_GRANT:
                decisions.issue_letter(session, settings, actor, application, decision)
                letter = True
            count += 1
        if not letter and application.contact_email:
            subject, body = messages.board_outcome(application, item, meeting)
            enqueue(session, to=application.contact_email, subject=subject, body=body,
                    kind="board_outcome", area_id=application.area_id,
                    application_id=application.id)  # fmt: skip
        touch(application)
        item.effected_at = utcnow()
    meeting.status, meeting.adjusted_at = MeetingStatus.ADJUSTED, utcnow()
    meeting.minutes_html, meeting.minutes_pdf = render_minutes(session, meeting)
    _record(session, actor, meeting, "minutes_adjusted", "Protokollet justerades; besluten gäller")
    return Adjusted(reserved, committed, count)


def add_correction(session: Session, actor: Actor, meeting: Meeting, text: str) -> None:
    """Adjusted minutes are never edited: a correction is a new entry linked to them."""
    _ensure_status(meeting, MeetingStatus.ADJUSTED)
    result = validate_form({"text": required(N_("Skriv rättelsen."), 5000)}, {"text": text})
    if not result.ok:
        raise CaseError(result.errors["text"])
    session.add(MinutesCorrection(meeting_id=meeting.id, text=result.cleaned["text"],
                                  created_by_name=actor.label, created_at=utcnow()))  # fmt: skip
    _record(session, actor, meeting, "minutes_corrected", "Rättelse till protokollet",
            reason=result.cleaned["text"])  # fmt: skip


def corrections(session: Session, meeting: Meeting) -> list[MinutesCorrection]:
    return list(
        session.scalars(
            select(MinutesCorrection)
            .where(MinutesCorrection.meeting_id == meeting.id)
            .order_by(MinutesCorrection.created_at)
        )
    )
