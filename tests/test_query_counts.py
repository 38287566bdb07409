"""SQL statements per request for the main pages do not grow with the data (no N+1).

Each page is requested with a little data (5 applications, 5 ledger rows, attachments, notes
and events on the case shown) and again after 45 more of each; the number of statements the
request sends must be the same. Counted with ``before_cursor_execute`` on the test engine, so
what is counted is what reaches the database (savepoints of the test's own transaction aside).
Counts, not times: timings live in bench/.
"""

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from app.applicants import service as applicants
from app.applications.models import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    InformationRequest,
)
from app.areas.models import SelectionCriterion
from app.attachments.models import Attachment
from app.audit.models import AuditEvent
from app.auth.models import Role, User, UserRole
from app.casework.models import CaseNote, DecisionProposal, ProposedOutcome, ScoreProposal
from app.config import Settings
from app.core.clock import local_today
from app.ledger.models import LedgerEntry, LedgerKind
from app.meetings import service as meetings
from app.meetings.models import ItemScore, Meeting, Vote, VoteChoice
from app.organisations.models import LegalForm, Organisation
from app.payments.models import ClaimKind, PaymentClaim
from app.reports.models import FinalReport
from tests.factories import KR, AreaSetup, make_board, make_small_grant_case, password_hash
from tests.http import login

SMALL, LARGE = 5, 50
STATUSES = (
    ApplicationStatus.IN_REVIEW,
    ApplicationStatus.READY_FOR_DECISION,
    ApplicationStatus.PAYMENT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.CLOSED,
)
_serial = count(1)


@contextmanager
def counting(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # The test's rolled-back outer transaction wraps each commit in a savepoint.
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


class World:
    """An area with a board, an upcoming meeting with three cases on its agenda, and one case
    (``case``, in payment) that every page shows; ``grow`` adds rows everywhere."""

    def __init__(self, db: Session, area: AreaSetup, settings: Settings) -> None:
        self.db, self.area = db, area
        self.board = make_board(db, area)
        self.handler = area.users[Role.HANDLER]
        # Cases go to several handlers and come from several organisations, so that a related
        # row loaded per case (not once for all) shows in the count.
        self.handlers = [self.handler] + [
            User(area_id=area.area.id, email=f"handler{n}@{area.area.code}.test",
                 full_name=f"Handläggare {n}", password_hash=password_hash(),
                 role_links=[UserRole(role=Role.HANDLER)])
            for n in (2, 3)
        ]  # fmt: skip
        db.add_all(self.handlers)
        db.flush()
        self.case = self._application(ApplicationStatus.PAYMENT)
        self.case.granted_ore = 20_000 * KR
        self._entry(self.case, LedgerKind.COMMITMENT, 20_000 * KR)
        meeting, result = meetings.create_meeting(
            db, area.actor, area.area.id,
            {"held_on": str(local_today() + timedelta(days=7)), "starts_at": "18:00",
             "place": "Bygdegården"},
            today=local_today(),
        )  # fmt: skip
        assert meeting is not None, result.errors
        self.meeting: Meeting = meeting
        for _ in range(3):
            ready = self._application(ApplicationStatus.READY_FOR_DECISION, requested_kr=40_000)
            meetings.add_application(db, area.actor, meeting, ready, frozenset({"handler"}))
        self.token = applicants.issue_link(db, settings, self.case)
        self.size = 0
        db.commit()

    def _application(self, status: ApplicationStatus, requested_kr: int = 20_000) -> Application:
        application = make_small_grant_case(
            self.db, self.area, status=status, requested_kr=requested_kr,
            title=f"Projekt {next(_serial)}",
        )  # fmt: skip
        serial = next(_serial)
        application.assigned_handler_id = self.handlers[serial % len(self.handlers)].id
        organisation = Organisation(
            area_id=self.area.area.id, name=f"Förening {serial}",
            org_number=f"80{serial:08d}", legal_form=LegalForm.NON_PROFIT_ASSOCIATION,
        )  # fmt: skip
        self.db.add(organisation)
        self.db.flush()
        application.organisation_id = organisation.id
        if serial % 2:
            application.applicant_name = ""  # the queue then shows the organisation's name
        return application

    def _entry(self, application: Application, kind: LedgerKind, amount_ore: int) -> LedgerEntry:
        entry = LedgerEntry(
            area_id=self.area.area.id, period_id=self.area.period.id, kind=kind,
            amount_ore=amount_ore, action_area_id=self.area.action_area.id,
            umbrella_project_id=application.umbrella_project_id, application_id=application.id,
            reason="Test",
        )  # fmt: skip
        self.db.add(entry)
        self.db.flush()
        self._event(application, "ledger_entry", entry.id, "created")
        return entry

    def _event(self, application: Application, entity: str, entity_id: int, action: str) -> None:
        self.db.add(AuditEvent(
            area_id=self.area.area.id, actor_label="Handläggare", entity_type=entity,
            entity_id=entity_id, action=action, summary=action,
        ))  # fmt: skip

    def _attachment(self, application: Application) -> None:
        serial = next(_serial)
        attachment = Attachment(
            area_id=self.area.area.id, application_id=application.id, label="Kvitto",
            original_filename=f"kvitto-{serial}.pdf", stored_name=f"qc{serial:030d}",
            content_type="application/pdf", size_bytes=1000 + serial, sha256="0" * 64,
            uploaded_by="Sökande",
        )  # fmt: skip
        self.db.add(attachment)
        self.db.flush()
        self._event(application, "attachment", attachment.id, "upload")

    def _case_rows(self, application: Application) -> None:
        """One of each thing a case accumulates: an event, a note, an attachment, a payment,
        a komplettering, a claim."""
        now = datetime.now(UTC)
        self._event(application, "application", application.id, "payment_claimed")
        self.db.add(CaseNote(area_id=self.area.area.id, application_id=application.id,
                             author_name="Handläggare", body="Anteckning"))  # fmt: skip
        self._attachment(application)
        self._entry(application, LedgerKind.PAYMENT, 10 * KR)
        self.db.add(InformationRequest(
            area_id=self.area.area.id, application_id=application.id, message="Komplettera",
            deadline=local_today() - timedelta(days=30), requested_at=now - timedelta(days=40),
            answer_text="Klart", answered_at=now - timedelta(days=35),
        ))  # fmt: skip
        self.db.add(PaymentClaim(
            area_id=self.area.area.id, application_id=application.id, kind=ClaimKind.PARTIAL,
            amount_ore=10 * KR, actual_costs_ore=10 * KR, form_token=f"t{next(_serial)}",
        ))  # fmt: skip

    def grow(self, to: int) -> None:
        """Up to ``to`` applications in the area and ``to`` rows of each kind on the case."""
        for n in range(self.size, to):
            application = self._application(STATUSES[n % len(STATUSES)])
            if application.status is ApplicationStatus.PAYMENT:
                application.granted_ore = application.requested_ore
                self._entry(application, LedgerKind.COMMITMENT, application.requested_ore)
                self._entry(application, LedgerKind.PAYMENT, application.requested_ore // 2)
            if application.status is ApplicationStatus.CLOSED:
                self.db.add(FinalReport(
                    area_id=self.area.area.id, application_id=application.id, summary="Klart",
                    participants_women=3, participants_men=2, volunteer_hours=40,
                    new_activities=1, jobs_created_hundredths=0, businesses_started=0,
                ))  # fmt: skip
            self._attachment(application)
            self._case_rows(self.case)
        self.size = to
        self.db.commit()


@pytest.fixture
def world(db: Session, area: AreaSetup, settings: Settings) -> World:
    return World(db, area, settings)


# page name -> (who is logged in, the URL for a world)
PAGES: dict[str, tuple[Role | None, Callable[[World], str]]] = {
    "queue": (Role.HANDLER, lambda w: "/cases"),
    "filtered queue": (Role.HANDLER, lambda w: "/cases?status=payment&kind=smastod&q=projekt"),
    "case page": (Role.HANDLER, lambda w: f"/cases/{w.case.id}"),
    "meeting page": (Role.LAG_CHAIR, lambda w: f"/board/meetings/{w.meeting.id}"),
    "dashboard": (Role.MANAGER, lambda w: "/budget"),
    "public call page": (None, lambda w: f"/calls/{w.area.umbrella.id}"),
    "applicant status page": (None, lambda w: f"/a/{w.token}"),
}


def statements_for(client: TestClient, engine: Engine, path: str) -> list[str]:
    client.get(path)  # once before counting: per-process caches (translations, templates)
    with counting(engine) as statements:
        response = client.get(path, follow_redirects=False)
    assert response.status_code == 200, response.text[:500]
    return statements


@pytest.mark.parametrize("page", list(PAGES))
def test_statements_per_request_do_not_grow_with_rows(
    page: str, world: World, client: TestClient, engine: Engine
) -> None:
    role, path = PAGES[page]
    if role is not None:
        assert login(client, world.area.users[role].email).status_code == 303
    world.grow(SMALL)
    small = statements_for(client, engine, path(world))
    world.grow(LARGE)
    large = statements_for(client, engine, path(world))
    print(f"{page}: {len(small)} statements with {SMALL} rows, {len(large)} with {LARGE}")
    grown = Counter(large) - Counter(small)
    assert len(large) == len(small), (
        f"{page}: {len(small)} statements with {SMALL} rows, {len(large)} with {LARGE}; "
        "sent more often:\n" + "\n---\n".join(f"{n}× {s}" for s, n in grown.items())[:3000]
    )


def _agenda_item(world: World, meeting: Meeting, criteria: list[SelectionCriterion]) -> None:
    """A case on the agenda with everything an item accumulates: the handler's proposal and
    points, jäv (by the viewing chair on every other item), a vote, a member's and joint
    scores."""
    db, area, board = world.db, world.area, world.board
    kind = ApplicationKind.LEADER_PROJECT if next(_serial) % 2 else ApplicationKind.SMALL_GRANT
    ready = world._application(ApplicationStatus.READY_FOR_DECISION, requested_kr=40_000)
    ready.kind = kind
    item = meetings.add_application(db, area.actor, meeting, ready, frozenset({"handler"}))
    db.add(DecisionProposal(
        area_id=area.area.id, application_id=ready.id, outcome=ProposedOutcome.APPROVE,
        motivation="Bra projekt.", proposed_by_name="Handläggare",
    ))  # fmt: skip
    conflicted = board["chair"] if len(meeting.items) % 2 else board["civil2"]
    meetings.declare_conflict(db, area.actor, item, conflicted, "Styrelseledamot i föreningen")
    for criterion in criteria:
        db.add(
            ScoreProposal(
                area_id=area.area.id,
                application_id=ready.id,
                criterion_id=criterion.id,
                points=5,
                justification="Bra.",
            )
        )
        db.add(
            ItemScore(
                item_id=item.id,
                member_id=board["public1"].id,
                criterion_id=criterion.id,
                points=6,
                justification="Bra.",
            )
        )
        db.add(ItemScore(item_id=item.id, member_id=None, criterion_id=criterion.id, points=7,
                         justification="Bra."))  # fmt: skip
    db.add(Vote(item_id=item.id, member_id=board["public1"].id, choice=VoteChoice.FOR))
    db.flush()


def test_meeting_page_statements_do_not_grow_with_agenda_items(
    world: World, client: TestClient, engine: Engine
) -> None:
    """Issue 8: the meeting page and an item's live panel load the agenda's members,
    attendance, jäv, votes, scores and proposals once for all items."""
    db, area = world.db, world.area
    criteria = [
        SelectionCriterion(area_id=area.area.id, period_id=area.period.id, position=n,
                           name=name, weight=weight, max_points=10)
        for n, (name, weight) in enumerate((("Förankring", 60), ("Innovation", 40)), 1)
    ]  # fmt: skip
    db.add_all(criteria)
    meeting, result = meetings.create_meeting(
        db, area.actor, area.area.id,
        {"held_on": str(local_today() + timedelta(days=14)), "place": "Skolan"},
        today=local_today(),
    )  # fmt: skip
    assert meeting is not None, result.errors
    members = [m for m in world.board.values() if m is not world.board["business3"]]
    meetings.record_attendance(db, area.actor, meeting, {m.id for m in members})
    for _ in range(2):
        _agenda_item(world, meeting, criteria)
    db.commit()
    assert login(client, area.users[Role.LAG_CHAIR].email).status_code == 303
    page = f"/board/meetings/{meeting.id}"
    panel = f"{page}/items/{meeting.items[0].id}/panel"
    two = statements_for(client, engine, page), statements_for(client, engine, panel)
    for _ in range(8):
        _agenda_item(world, meeting, criteria)
    db.commit()
    ten = statements_for(client, engine, page), statements_for(client, engine, panel)
    print(f"meeting page: {len(two[0])} statements with 2 agenda items, {len(ten[0])} with 10; "
          f"panel: {len(two[1])} and {len(ten[1])}")  # fmt: skip
    for small, large in zip(two, ten, strict=True):
        grown = Counter(large) - Counter(small)
        assert len(large) == len(small), (
            "sent more often:\n" + "\n---\n".join(f"{n}× {s}" for s, n in grown.items())[:3000]
        )
