"""LAG meeting pages: the list, one meeting (agenda, attendance, jäv, votes, decisions), the live
panel per item for the chair, and the minutes."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.applications.models import Application, ApplicationStatus
from app.areas.service import current_period
from app.auth.dependencies import DbSession, require_roles
from app.auth.models import Role, User
from app.auth.service import actor_for
from app.board import service as board
from app.board.models import BoardMember
from app.board.rules import Participation
from app.casework.service import CaseError
from app.core.clock import local_today
from app.core.flash import flash
from app.core.forms import FormResult, PostedForm
from app.core.i18n import N_
from app.core.i18n import gettext as _
from app.core.navigation import BOARD, CASES
from app.core.params import RecordId, parse_record_id
from app.core.templates import render
from app.ledger import service as ledger
from app.meetings import service
from app.meetings.minutes import render_minutes
from app.meetings.models import AgendaItem, ItemOutcome, Meeting, MeetingStatus, VoteChoice

pages = APIRouter(include_in_schema=False)
MEETINGS = f"{BOARD.path}/meetings"

BoardReader = Annotated[User, Depends(require_roles(*BOARD.roles))]
# The chair runs the meeting; the office (as secretary) prepares it and keeps the minutes.
Organiser = Annotated[User, Depends(require_roles(Role.LAG_CHAIR, Role.HANDLER, Role.MANAGER))]
Chair = Annotated[User, Depends(require_roles(Role.LAG_CHAIR))]


def _meeting(session: Session, user: User, meeting_id: int, *, for_change: bool = False) -> Meeting:
    meeting = service.get_meeting(session, user.area_id, meeting_id, for_change=for_change)
    if meeting is None:
        raise HTTPException(status_code=404)
    return meeting


def _item(meeting: Meeting, item_id: int) -> AgendaItem:
    item = next((i for i in meeting.items if i.id == item_id), None)
    if item is None:
        raise HTTPException(status_code=404)
    return item


def _own_seat(session: Session, user: User, meeting: Meeting) -> BoardMember | None:
    return board.seat_for(session, user.id, user.area_id, meeting.held_on)


def _member(session: Session, meeting: Meeting, raw_id: str) -> BoardMember:
    try:
        member = session.get(BoardMember, parse_record_id(raw_id))
    except ValueError:
        member = None
    if member is None or member.area_id != meeting.area_id:
        raise CaseError(_("Välj en ledamot."))
    return member


def _acting_member(
    session: Session, user: User, meeting: Meeting, raw: dict[str, str]
) -> BoardMember:
    """A member acts for themselves; the chair and the office may record for anyone."""
    own = _own_seat(session, user, meeting)
    if raw.get("member") and user.has_any_role(Role.LAG_CHAIR, Role.HANDLER, Role.MANAGER):
        return _member(session, meeting, raw["member"])
    if own is None:
        raise CaseError(_("Du är inte registrerad som ledamot i styrelsen."))
    return own


def _item_views(
    meeting: Meeting, agenda: service.Agenda, own: BoardMember | None
) -> list[dict[str, object]]:
    """One view per agenda item, computed from the agenda's facts loaded once (no queries)."""
    judged: dict[int, tuple[Participation, service.BoardScoring]] = {}  # by item id
    for item in meeting.items:
        if item.application is not None:
            who = agenda.who(item)
            judged[item.id] = (who, agenda.board_scoring(item, who))
    places = service.places(
        (item, judged[item.id][1]) for item in meeting.items if item.id in judged
    )
    views = []
    for item in meeting.items:
        application = item.application
        # Jäv is on the case: one declared at an earlier meeting (the case was postponed) still
        # keeps the office's internal assessment from the member.
        conflicted = bool(own and application
                          and application.id in agenda.viewer_conflicted)  # fmt: skip
        who, scoring = judged.get(item.id, (None, None))
        views.append({
            "item": item,
            "application": application,
            "conflicts": agenda.conflicts.get(item.id, []),
            "viewer_conflicted": conflicted,
            # A member with jäv sees nothing of the office's internal assessment.
            "proposal": agenda.proposals.get(application.id)
            if application and not conflicted else None,
            "scoring": agenda.handler_scoring(application)
            if application and not conflicted else None,
            "who": who,
            "board_scoring": scoring,
            "place": places.get(item.id),
            "may_score": bool(own and who and not conflicted
                              and own.id in {s.member_id for s in who.voters}),
            "tally": agenda.tally(item, who) if who else None,
            "outcomes": list(service.OUTCOMES[application.kind]) if application else [],
        })  # fmt: skip
    return views


# Cases that can be put on the agenda: the longest waiting first, a bounded number (an area can
# have hundreds ready for decision); the rest are counted and found in the queue.
CANDIDATES_SHOWN = 50


def _candidates(session: Session, meeting: Meeting) -> tuple[list[Application], int]:
    """The cases waiting for a LAG meeting and not on this one, oldest first, and how many
    more there are."""
    rows = session.execute(
        select(Application, func.count().over())
        .where(
            Application.area_id == meeting.area_id,
            Application.status.in_(
                (ApplicationStatus.READY_FOR_DECISION, ApplicationStatus.ON_AGENDA)
            ),
            ~exists().where(
                AgendaItem.meeting_id == meeting.id, AgendaItem.application_id == Application.id
            ),
        )
        .order_by(Application.submitted_at.asc().nulls_last(), Application.id)
        .limit(CANDIDATES_SHOWN)
    ).all()
    total = rows[0][1] if rows else 0
    return [application for application, _total in rows], total - len(rows)


def _page(
    request: Request, session: Session, user: User, meeting: Meeting, *,
    alert: str | None = None, errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None, status_code: int = 200,
) -> Response:  # fmt: skip
    own = _own_seat(session, user, meeting)
    agenda = service.load_agenda(session, meeting, own)
    is_organiser = user.has_any_role(Role.LAG_CHAIR, Role.HANDLER, Role.MANAGER)
    # Only organisers add items, and only before the meeting is over.
    candidates, more_candidates = (
        _candidates(session, meeting)
        if is_organiser and meeting.status in (MeetingStatus.PLANNED, MeetingStatus.OPEN)
        else ([], 0)
    )
    period = current_period(session, meeting.area_id, meeting.held_on)
    return render(
        request, "meetings/meeting.html",
        {
            "meeting": meeting,
            "items": _item_views(meeting, agenda, own),
            "members": agenda.members,
            "present": agenda.attendance,
            "candidates": candidates,
            "more_candidates": more_candidates,
            # The queue is the office's; a chair without an office role just sees the count.
            "queue_url": f"{CASES.path}?status={ApplicationStatus.READY_FOR_DECISION.value}"
            if user.has_any_role(*CASES.roles) else None,
            "own_seat": own,
            "is_chair": Role.LAG_CHAIR in user.roles,
            "is_organiser": is_organiser,
            "choices": list(VoteChoice),
            "corrections": service.corrections(session, meeting),
            "alert": alert, "errors": errors or {}, "values": values or {},
            "Status": MeetingStatus, "ItemOutcome": ItemOutcome,
            # The meeting pack's budget situation per insatsområde and pot.
            "budget": ledger.overview(session, period) if period else None,
        },
        status_code=status_code,
    )  # fmt: skip


def _act(
    request: Request, session: Session, user: User, meeting: Meeting,
    action: Callable[[], FormResult | None], *, thanks: str, anchor: str = "",
    form: str = "", raw: dict[str, str] | None = None,
) -> Response:  # fmt: skip
    """Run a meeting form: commit and go back to the meeting, or show why not, keeping what
    was typed. ``thanks`` is a catalogue message (marked with N_), translated here."""
    values = {f"{form}_{k}": v for k, v in (raw or {}).items()}
    try:
        result = action()
        if result is not None and not result.ok:
            session.rollback()
            errors = {f"{form}_{k}": v for k, v in result.errors.items()}
            return _page(request, session, user, meeting, errors=errors, values=values,
                         status_code=400)  # fmt: skip
        session.commit()
    except CaseError as exc:
        session.rollback()
        return _page(request, session, user, meeting, alert=exc.message, values=values,
                     status_code=400)  # fmt: skip
    response = RedirectResponse(f"{MEETINGS}/{meeting.id}{anchor}", status_code=303)
    flash(request, response, _(thanks))
    return response


@pages.get(MEETINGS)
def meetings_page(request: Request, session: DbSession, user: BoardReader) -> Response:
    return render(request, "meetings/list.html", {
        "meetings": service.meetings_in_area(session, user.area_id),
        "can_create": user.has_any_role(Role.LAG_CHAIR, Role.HANDLER, Role.MANAGER),
        "errors": {}, "values": {},
    })  # fmt: skip


@pages.post(MEETINGS)
def create_meeting(
    request: Request, session: DbSession, user: Organiser, raw: PostedForm
) -> Response:
    meeting, result = service.create_meeting(session, actor_for(user), user.area_id, raw,
                                             today=local_today())  # fmt: skip
    if meeting is None:
        session.rollback()
        return render(request, "meetings/list.html", {
            "meetings": service.meetings_in_area(session, user.area_id), "can_create": True,
            "errors": result.errors, "values": raw,
        }, status_code=400)  # fmt: skip
    session.commit()
    response = RedirectResponse(f"{MEETINGS}/{meeting.id}", status_code=303)
    flash(request, response, _("Mötet är planerat. Lägg till ärenden och registrera närvaron."))
    return response


@pages.get(MEETINGS + "/{meeting_id}")
def meeting_page(
    request: Request, session: DbSession, user: BoardReader, meeting_id: RecordId
) -> Response:
    return _page(request, session, user, _meeting(session, user, meeting_id))


@pages.get(MEETINGS + "/{meeting_id}/items/{item_id}/panel")
def item_panel(
    request: Request, session: DbSession, user: BoardReader, meeting_id: RecordId,
    item_id: RecordId,
) -> Response:  # fmt: skip
    """The live part of an item (who may vote, quorum, balance, the tally), polled by htmx."""
    meeting = _meeting(session, user, meeting_id)
    item = _item(meeting, item_id)
    own = _own_seat(session, user, meeting)
    agenda = service.load_agenda(session, meeting, own)
    view = next(v for v in _item_views(meeting, agenda, own) if v["item"] is item)
    return render(request, "meetings/_panel.html", {"view": view, "meeting": meeting,
                                                    "Status": MeetingStatus})  # fmt: skip


@pages.post(MEETINGS + "/{meeting_id}/items")
def add_item(
    request: Request, session: DbSession, user: Organiser, meeting_id: RecordId, raw: PostedForm
) -> Response:
    meeting = _meeting(session, user, meeting_id, for_change=True)
    roles = frozenset(role.value for role in user.roles)

    def action() -> None:
        if raw.get("application"):
            try:
                application = session.get(Application, parse_record_id(raw["application"]))
            except ValueError:
                application = None
            if application is None or application.area_id != user.area_id:
                raise CaseError(_("Välj ett ärende."))
            service.add_application(session, actor_for(user), meeting, application, roles)
        else:
            service.add_free_item(session, actor_for(user), meeting, raw.get("title", ""),
                                  raw.get("notes", ""))  # fmt: skip

    return _act(request, session, user, meeting, action, thanks=N_("Punkten är tillagd."),
                anchor="#agenda", form="item", raw=raw)  # fmt: skip


@pages.post(MEETINGS + "/{meeting_id}/attendance")
def attendance(
    request: Request, session: DbSession, user: Organiser, meeting_id: RecordId, raw: PostedForm
) -> Response:
    meeting = _meeting(session, user, meeting_id, for_change=True)

    def action() -> None:
        try:
            present = {parse_record_id(v) for v in raw.get("present", "").split()}
        except ValueError:
            raise CaseError(_("Okänd ledamot.")) from None
        service.record_attendance(session, actor_for(user), meeting, present)

    return _act(request, session, user, meeting, action, thanks=N_("Närvaron är registrerad."),
                anchor="#attendance")  # fmt: skip


@pages.post(MEETINGS + "/{meeting_id}/open")
def open_meeting(
    request: Request, session: DbSession, user: Organiser, meeting_id: RecordId
) -> Response:
    meeting = _meeting(session, user, meeting_id, for_change=True)
    today = local_today()
    return _act(request, session, user, meeting,
                lambda: service.open_meeting(session, actor_for(user), meeting, today=today),
                thanks=N_("Mötet är öppnat."))  # fmt: skip


# The forms on one agenda item: what each does, for whom, and what the user is told.
ItemRun = Callable[[Session, User, Meeting, AgendaItem, dict[str, str]], FormResult | None]


@dataclass(frozen=True)
class ItemForm:
    path: str
    form: str  # prefix of its field errors and kept values
    thanks: str  # marked with N_, translated when shown
    run: ItemRun
    organisers_only: bool = False  # the chair and the secretary; otherwise any board reader


def _conflict(session: Session, user: User, meeting: Meeting, item: AgendaItem,
              raw: dict[str, str]) -> None:  # fmt: skip
    member = _acting_member(session, user, meeting, raw)
    service.declare_conflict(session, actor_for(user), item, member, raw.get("reason", ""))


def _vote(session: Session, user: User, meeting: Meeting, item: AgendaItem,
          raw: dict[str, str]) -> None:  # fmt: skip
    member = _acting_member(session, user, meeting, raw)
    service.cast_vote(session, actor_for(user), item, member, raw.get("choice", ""))


def _score(session: Session, user: User, meeting: Meeting, item: AgendaItem,
           raw: dict[str, str]) -> FormResult:  # fmt: skip
    """A member's own scores, or (``joint``) the board's joint scores recorded by the chair."""
    joint = raw.get("joint") == "1"
    if joint and not user.has_any_role(Role.LAG_CHAIR, Role.HANDLER, Role.MANAGER):
        raise CaseError(_("Bara ordföranden eller sekreteraren registrerar styrelsens "
                          "gemensamma poäng."))  # fmt: skip
    member = None if joint else _acting_member(session, user, meeting, {})
    return service.score_item(session, actor_for(user), item, member, raw)


ITEM_FORMS = (
    ItemForm("conflicts", "conflict", N_("Jävet är anmält."), _conflict),
    ItemForm("votes", "vote", N_("Rösten är registrerad."), _vote),
    ItemForm("scores", "score", N_("Poängen är sparade."), _score),
    ItemForm("decision", "decision",
             N_("Beslutet är fattat. Det gäller när protokollet är justerat."),
             lambda s, u, _m, i, raw: service.decide_item(s, actor_for(u), i, raw),
             organisers_only=True),
    ItemForm("remove", "remove", N_("Punkten är lyft från dagordningen."),
             lambda s, u, _m, i, raw: service.remove_item(s, actor_for(u), i,
                                                          raw.get("reason", "")),
             organisers_only=True),
    ItemForm("undo", "undo", N_("Beslutet är taget tillbaka; punkten kan beslutas på nytt."),
             lambda s, u, _m, i, raw: service.undo_decision(s, actor_for(u), i,
                                                            raw.get("reason", "")),
             organisers_only=True),
)  # fmt: skip


def _run_item_form(
    request: Request, session: Session, user: User, meeting_id: int, item_id: int,
    raw: dict[str, str], item_form: ItemForm,
) -> Response:  # fmt: skip
    meeting = _meeting(session, user, meeting_id, for_change=True)
    item = _item(meeting, item_id)
    return _act(request, session, user, meeting,
                lambda: item_form.run(session, user, meeting, item, raw),
                thanks=item_form.thanks, anchor=f"#item-{item.id}",
                form=f"{item_form.form}{item.id}", raw=raw)  # fmt: skip


def _add_item_route(item_form: ItemForm) -> None:
    if item_form.organisers_only:

        def post(request: Request, session: DbSession, user: Organiser, meeting_id: RecordId,
                 item_id: RecordId, raw: PostedForm) -> Response:  # fmt: skip
            return _run_item_form(request, session, user, meeting_id, item_id, raw, item_form)
    else:

        def post(request: Request, session: DbSession, user: BoardReader,
                 meeting_id: RecordId, item_id: RecordId, raw: PostedForm) -> Response:  # fmt: skip
            return _run_item_form(request, session, user, meeting_id, item_id, raw, item_form)

    pages.add_api_route(f"{MEETINGS}/{{meeting_id}}/items/{{item_id}}/{item_form.path}", post,
                        methods=["POST"], name=f"meeting_item_{item_form.path}")  # fmt: skip


for _item_form in ITEM_FORMS:
    _add_item_route(_item_form)


@pages.post(MEETINGS + "/{meeting_id}/close")
def close_meeting(
    request: Request, session: DbSession, user: Chair, meeting_id: RecordId, raw: PostedForm
) -> Response:
    meeting = _meeting(session, user, meeting_id, for_change=True)

    def action() -> None:
        try:
            adjusters = [parse_record_id(raw.get(k, "")) for k in ("adjuster_one", "adjuster_two")]
        except ValueError:
            raise CaseError(_("Välj två olika justerare bland de närvarande.")) from None
        service.close_meeting(session, actor_for(user), meeting, adjusters)

    return _act(request, session, user, meeting, action,
                thanks=N_("Mötet är avslutat. Protokollet ska nu justeras."))  # fmt: skip


@pages.post(MEETINGS + "/{meeting_id}/adjust")
def adjust(request: Request, session: DbSession, user: Organiser, meeting_id: RecordId) -> Response:
    meeting = _meeting(session, user, meeting_id, for_change=True)

    def action() -> None:
        service.adjust_minutes(session, request.app.state.settings, actor_for(user), meeting)

    thanks = N_("Protokollet är justerat. Besluten gäller och de sökande får besked.")
    return _act(request, session, user, meeting, action, thanks=thanks)


@pages.post(MEETINGS + "/{meeting_id}/corrections")
def correct(
    request: Request, session: DbSession, user: Organiser, meeting_id: RecordId, raw: PostedForm
) -> Response:
    meeting = _meeting(session, user, meeting_id, for_change=True)
    return _act(request, session, user, meeting,
                lambda: service.add_correction(session, actor_for(user), meeting,
                                               raw.get("text", "")),
                thanks=N_("Rättelsen är tillagd."), anchor="#minutes", form="correction",
                raw=raw)  # fmt: skip


@pages.get(MEETINGS + "/{meeting_id}/minutes", response_class=HTMLResponse)
def minutes(session: DbSession, user: BoardReader, meeting_id: RecordId) -> Response:
    meeting = _meeting(session, user, meeting_id)
    if meeting.minutes_html is not None:
        return HTMLResponse(meeting.minutes_html)
    if meeting.status is not MeetingStatus.CLOSED:
        raise HTTPException(status_code=404)
    # The draft the adjusters read before they adjust (marked "Ej justerat").
    return HTMLResponse(render_minutes(session, meeting)[0])


@pages.get(MEETINGS + "/{meeting_id}/minutes.pdf")
def minutes_pdf(session: DbSession, user: BoardReader, meeting_id: RecordId) -> Response:
    meeting = _meeting(session, user, meeting_id)
    if meeting.minutes_pdf is None:
        raise HTTPException(status_code=404)
    return Response(
        meeting.minutes_pdf, media_type="application/pdf",
        headers={"Content-Disposition":
                 f'inline; filename="protokoll-{meeting.held_on.isoformat()}.pdf"'},
    )  # fmt: skip
