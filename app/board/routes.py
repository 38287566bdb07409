"""The LAG board's start page: today's composition by interest group."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from starlette.responses import Response

from app.auth.dependencies import DbSession, require_roles
from app.auth.models import User
from app.board import service
from app.board.models import Sector
from app.core.clock import local_today
from app.core.navigation import BOARD
from app.core.templates import render
from app.meetings import service as meetings
from app.meetings.models import MeetingStatus

pages = APIRouter(include_in_schema=False)

BoardReader = Annotated[User, Depends(require_roles(*BOARD.roles))]


@pages.get(BOARD.path)
def board_start(request: Request, session: DbSession, user: BoardReader) -> Response:
    return render(
        request,
        "board/board.html",
        {
            "composition": service.composition(session, user.area_id, local_today()),
            # Mina möten: what is coming up, and what waits for its minutes.
            "meetings": [
                m
                for m in meetings.meetings_in_area(session, user.area_id)
                if m.held_on >= local_today() or m.status is not MeetingStatus.ADJUSTED
            ],
            "sectors": list(Sector),
            "limit": service.BALANCE_LIMIT_PERCENT,
        },
    )
