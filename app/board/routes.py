"""The LAG board's start page: today's composition by interest group, the coming meetings, and
the register of members (kept by the manager or the chair)."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.auth.dependencies import DbSession, require_roles
from app.auth.models import Role, User
from app.auth.service import actor_for, users_in_area
from app.board import service
from app.board.models import BoardMember, BoardRole, Sector
from app.core.clock import local_today
from app.core.flash import flash
from app.core.forms import PostedForm
from app.core.i18n import gettext as _
from app.core.navigation import BOARD
from app.core.params import RecordId
from app.core.templates import render
from app.meetings import service as meetings
from app.meetings.models import MeetingStatus

pages = APIRouter(include_in_schema=False)

BoardReader = Annotated[User, Depends(require_roles(*BOARD.roles))]
Registrar = Annotated[User, Depends(require_roles(Role.MANAGER, Role.LAG_CHAIR))]


def _page(
    request: Request, session: Session, user: User, *, errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None, status_code: int = 200,
) -> Response:  # fmt: skip
    today = local_today()
    composition = service.composition(session, user.area_id, today)
    return render(
        request,
        "board/board.html",
        {
            "composition": composition,
            # Mina möten: what is coming up, and what waits for its minutes.
            "meetings": [
                m
                for m in meetings.meetings_in_area(session, user.area_id)
                if m.held_on >= today or m.status is not MeetingStatus.ADJUSTED
            ],
            "sectors": list(Sector),
            "roles": list(BoardRole),
            "limit": composition.rules.balance_limit_percent,
            "can_register": user.has_any_role(Role.MANAGER, Role.LAG_CHAIR),
            "logins": users_in_area(session, user.area_id),
            "ordinary": [m for m in composition.members if m.role.is_ordinary],
            "errors": errors or {},
            "values": values or {},
            "today": today,
        },
        status_code=status_code,
    )


@pages.get(BOARD.path)
def board_start(request: Request, session: DbSession, user: BoardReader) -> Response:
    return _page(request, session, user)


@pages.post(BOARD.path + "/members")
def add_member(request: Request, session: DbSession, user: Registrar, raw: PostedForm) -> Response:
    member, result = service.add_member(session, actor_for(user), user.area_id, raw)
    if member is None:
        session.rollback()
        return _page(request, session, user, errors=result.errors, values=raw, status_code=400)
    session.commit()
    response = RedirectResponse(f"{BOARD.path}#members-heading", status_code=303)
    flash(request, response, _("{name} är registrerad i styrelsen.").format(name=member.full_name))
    return response


@pages.post(BOARD.path + "/members/{member_id}/end")
def end_term(
    request: Request, session: DbSession, user: Registrar, member_id: RecordId, raw: PostedForm
) -> Response:
    member = session.get(BoardMember, member_id)
    if member is None or member.area_id != user.area_id:
        raise HTTPException(status_code=404)
    response = RedirectResponse(f"{BOARD.path}#members-heading", status_code=303)
    try:
        service.end_term(session, actor_for(user), member,
                         date.fromisoformat(raw.get("last_day", "")))  # fmt: skip
    except ValueError:
        session.rollback()
        flash(request, response, _("Ange en sista dag som inte är före mandatets början."), "alert")
        return response
    session.commit()
    flash(request, response, _("{name}s mandat är avslutat.").format(name=member.full_name))
    return response
