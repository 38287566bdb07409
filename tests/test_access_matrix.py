"""Who may use which route: every route of the app × every principal, against one table.

The routes come from the app's router, so a new route fails here until ``ACCESS`` says who may
use it, and an entry for a route that is gone fails too. Each principal asks once per route
with real ids of one area's records; "another area" is a user holding every role in a
neighbouring area, so only the area scoping stands between them and the records (404).

Every request runs in a savepoint that is rolled back, so an allowed POST cannot change what
the next row sees; a valid CSRF pair goes with every request, so what is tested is
authorisation, not CSRF. Magic-link pages are further tried with expired, tampered and other
applications' tokens.
"""

import enum
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session
from starlette.routing import Mount

from app.accounts import service as accounts
from app.applicants import service as applicants
from app.applications.models import Application, ApplicationStatus, InformationRequest
from app.areas.models import SelectionCriterion
from app.attachments.service import store
from app.auth.csrf import CSRF_COOKIE, CSRF_HEADER
from app.auth.dependencies import SESSION_COOKIE
from app.auth.models import Role, User, UserRole
from app.config import Settings
from app.core.clock import local_today
from app.dashboard.models import OperationActivity, OperationGoal
from app.db import make_session_factory, utcnow
from app.decisions.models import Decision, DecisionBody, DecisionOutcome
from app.ledger.models import LedgerKind
from app.ledger.service import record_entry
from app.main import create_app
from app.meetings import service as meetings
from app.meetings.models import Meeting, MeetingStatus
from app.payments import service as payments
from tests import files
from tests.factories import (
    KR,
    AreaSetup,
    enable_two_factor,
    make_area,
    make_board,
    make_small_grant_case,
    password_hash,
)
from tests.http import login

Route = tuple[str, str]  # (method, path template)

# --- Principals and outcomes ---

ANONYMOUS = "anonymous"
OTHER_AREA = "other-area"  # staff of a neighbouring area, holding every role there
PRINCIPALS = (ANONYMOUS, *(role.value for role in Role), OTHER_AREA)


class Outcome(enum.StrEnum):
    ALLOWED = "allowed"  # passed authorisation (see ``outcome_of``)
    LOGIN = "login"  # pages: 303 to /login?next=<the page>; API: 401
    FORBIDDEN = "403"
    NOT_FOUND = "404"


@dataclass(frozen=True)
class Rule:
    """Who may use a route. ``roles`` None: public, no login needed; empty: no role suffices
    (deployment administrators only, who are none of the principals). ``scoped``: the route
    addresses one record of the area, which another area's user must not find (404)."""

    roles: frozenset[Role] | None
    scoped: bool = False

    def expected(self, principal: str) -> Outcome:
        if self.roles is None:
            return Outcome.ALLOWED
        if principal == ANONYMOUS:
            return Outcome.LOGIN
        if not self.roles:
            return Outcome.FORBIDDEN
        if principal == OTHER_AREA:
            return Outcome.NOT_FOUND if self.scoped else Outcome.ALLOWED
        return Outcome.ALLOWED if Role(principal) in self.roles else Outcome.FORBIDDEN


PUBLIC = Rule(None)
DEPLOYMENT = Rule(frozenset())


def staff(*roles: Role) -> Rule:
    return Rule(frozenset(roles))


def record(*roles: Role) -> Rule:
    return Rule(frozenset(roles), scoped=True)


# Written out here rather than taken from app.core.navigation, so that a change to who may
# open a section shows up as a failure in this table.
H, M, LM, LC, AD = Role.HANDLER, Role.MANAGER, Role.LAG_MEMBER, Role.LAG_CHAIR, Role.ADMIN
OFFICE = (H, M)
BOARD = (H, M, LM, LC)  # board pages, and the budget (the board follows uptake)
ORGANISERS = (LC, H, M)  # run a meeting: the chair, and the office as secretary

ACCESS: dict[Route, Rule] = {
    # Framework and static files: public on purpose (the API is documented at /docs).
    ("GET", "/api/v1/openapi.json"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/docs/oauth2-redirect"): PUBLIC,
    ("GET", "/redoc"): PUBLIC,
    ("GET", "/static/{path}"): PUBLIC,
    # Operations: the proxy's and the orchestrator's probes, anonymous on purpose.
    ("GET", "/healthz"): PUBLIC,
    ("GET", "/readyz"): PUBLIC,
    # Anyone: language, login, the public calls and the applicant's pages (the token is the key).
    ("POST", "/language"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("POST", "/logout"): PUBLIC,
    ("GET", "/"): PUBLIC,
    ("GET", "/privacy"): PUBLIC,
    ("GET", "/calls/{umbrella_id}"): PUBLIC,
    ("POST", "/calls/{umbrella_id}/start"): PUBLIC,
    ("GET", "/links"): PUBLIC,
    ("POST", "/links"): PUBLIC,
    ("GET", "/a/{token}"): PUBLIC,
    ("GET", "/a/{token}/review"): PUBLIC,
    ("POST", "/a/{token}/submit"): PUBLIC,
    ("POST", "/a/{token}/validate"): PUBLIC,
    ("POST", "/a/{token}/requests/{request_id}"): PUBLIC,
    ("POST", "/a/{token}/claims"): PUBLIC,
    ("POST", "/a/{token}/receipts"): PUBLIC,
    ("POST", "/a/{token}/report"): PUBLIC,
    ("POST", "/a/{token}/send-link"): PUBLIC,
    ("POST", "/a/{token}/withdraw"): PUBLIC,
    ("GET", "/a/{token}/attachments"): PUBLIC,
    ("POST", "/a/{token}/attachments"): PUBLIC,
    ("POST", "/a/{token}/attachments/{attachment_id}/delete"): PUBLIC,
    ("GET", "/a/{token}/attachments/{attachment_id}"): PUBLIC,
    ("GET", "/a/{token}/{step}"): PUBLIC,
    ("POST", "/a/{token}/{step}"): PUBLIC,
    # Every staff member.
    ("GET", "/start"): staff(*Role),
    ("GET", "/api/v1/me"): staff(*Role),
    # Calls (umbrella projects): the manager.
    ("GET", "/umbrellas"): staff(M),
    ("GET", "/umbrellas/new"): staff(M),
    ("POST", "/umbrellas/new"): staff(M),
    ("GET", "/umbrellas/{umbrella_id}/edit"): record(M),
    ("POST", "/umbrellas/{umbrella_id}/edit"): record(M),
    # Case handling and organisations: the office.
    ("GET", "/cases"): staff(*OFFICE),
    ("POST", "/cases/assign"): staff(*OFFICE),
    ("POST", "/cases/agenda"): staff(*OFFICE),
    ("GET", "/cases/export.csv"): staff(*OFFICE),
    ("GET", "/cases/new-project"): staff(*OFFICE),
    ("POST", "/cases/new-project"): staff(*OFFICE),
    ("GET", "/cases/{application_id}"): record(*OFFICE),
    ("POST", "/cases/{application_id}/notes"): record(*OFFICE),
    ("POST", "/cases/{application_id}/checklist"): record(*OFFICE),
    ("POST", "/cases/{application_id}/scores"): record(*OFFICE),
    ("POST", "/cases/{application_id}/proposal"): record(*OFFICE),
    ("POST", "/cases/{application_id}/information-requests"): record(*OFFICE),
    ("POST", "/cases/{application_id}/assign"): record(*OFFICE),
    ("POST", "/cases/{application_id}/decision"): record(*OFFICE),
    ("POST", "/cases/{application_id}/authority-decision"): record(*OFFICE),
    ("POST", "/cases/{application_id}/close"): record(*OFFICE),
    ("POST", "/cases/{application_id}/national-case-number"): record(*OFFICE),
    ("POST", "/cases/{application_id}/transition"): record(*OFFICE),
    ("POST", "/cases/{application_id}/payments"): record(*OFFICE),
    ("POST", "/cases/{application_id}/claims/{claim_id}/reject"): record(*OFFICE),
    ("GET", "/cases/{application_id}/decisions/{decision_id}"): record(*OFFICE),
    ("GET", "/attachments/{attachment_id}"): record(*OFFICE),
    ("GET", "/organisations"): staff(*OFFICE),
    ("GET", "/organisations/new"): staff(*OFFICE),
    ("POST", "/organisations/new"): staff(*OFFICE),
    ("POST", "/organisations/validate"): staff(*OFFICE),
    ("GET", "/api/v1/applications"): staff(*OFFICE),
    ("GET", "/api/v1/applications/{application_id}"): record(*OFFICE),
    ("POST", "/api/v1/applications/{application_id}/transitions"): record(*OFFICE),
    ("GET", "/api/v1/organisations"): staff(*OFFICE),
    # Budget: the office and the board read it; the office registers plan progress.
    ("GET", "/budget"): staff(*BOARD),
    ("GET", "/budget/export/{what}.{fmt}"): staff(*BOARD),
    ("GET", "/budget/dashboard.pdf"): staff(*BOARD),
    ("POST", "/budget/plan/{activity_id}"): record(*OFFICE),
    ("GET", "/api/v1/budget"): staff(*BOARD),
    ("GET", "/api/v1/dashboard"): staff(*BOARD),
    # The LAG board: members read and act for themselves; the chair and the office organise.
    ("GET", "/board"): staff(*BOARD),
    ("POST", "/board/members"): staff(M, LC),
    ("POST", "/board/members/{member_id}/end"): record(M, LC),
    ("GET", "/board/meetings"): staff(*BOARD),
    ("POST", "/board/meetings"): staff(*ORGANISERS),
    ("GET", "/board/meetings/{meeting_id}"): record(*BOARD),
    ("GET", "/board/meetings/{meeting_id}/items/{item_id}/panel"): record(*BOARD),
    ("POST", "/board/meetings/{meeting_id}/items"): record(*ORGANISERS),
    ("POST", "/board/meetings/{meeting_id}/attendance"): record(*ORGANISERS),
    ("POST", "/board/meetings/{meeting_id}/open"): record(*ORGANISERS),
    ("POST", "/board/meetings/{meeting_id}/items/{item_id}/conflicts"): record(*BOARD),
    ("POST", "/board/meetings/{meeting_id}/items/{item_id}/votes"): record(*BOARD),
    ("POST", "/board/meetings/{meeting_id}/items/{item_id}/scores"): record(*BOARD),
    ("POST", "/board/meetings/{meeting_id}/items/{item_id}/decision"): record(*ORGANISERS),
    ("POST", "/board/meetings/{meeting_id}/items/{item_id}/remove"): record(*ORGANISERS),
    ("POST", "/board/meetings/{meeting_id}/items/{item_id}/undo"): record(*ORGANISERS),
    ("POST", "/board/meetings/{meeting_id}/close"): record(LC),
    ("POST", "/board/meetings/{meeting_id}/adjust"): record(*ORGANISERS),
    ("POST", "/board/meetings/{meeting_id}/corrections"): record(*ORGANISERS),
    ("GET", "/board/meetings/{meeting_id}/minutes"): record(*BOARD),
    ("GET", "/board/meetings/{meeting_id}/minutes.pdf"): record(*BOARD),
    # Staff accounts (issue 10): the login's second step and the set-password link are the
    # visitor's own; every staff member has an account page; managers list the area's users and
    # invite; the rest is the area's administrators'; areas are the deployment administrators'.
    ("GET", "/login/code"): PUBLIC,
    ("POST", "/login/code"): PUBLIC,
    ("GET", "/set-password/{invitation}"): PUBLIC,
    ("POST", "/set-password/{invitation}"): PUBLIC,
    ("GET", "/account"): staff(*Role),
    ("POST", "/account/two-factor"): staff(*Role),
    ("POST", "/account/two-factor/disable"): staff(*Role),
    ("GET", "/admin/users"): staff(AD, M),
    ("GET", "/admin/users/new"): staff(AD, M),
    ("POST", "/admin/users/new"): staff(AD, M),
    ("GET", "/admin/users/{user_id}"): record(AD),
    ("POST", "/admin/users/{user_id}/roles"): record(AD),
    ("POST", "/admin/users/{user_id}/deactivate"): record(AD),
    ("POST", "/admin/users/{user_id}/reactivate"): record(AD),
    ("POST", "/admin/users/{user_id}/password"): record(AD),
    ("POST", "/admin/users/{user_id}/sessions"): record(AD),
    ("POST", "/admin/users/{user_id}/two-factor"): record(AD),
    ("GET", "/admin/areas"): DEPLOYMENT,
    ("GET", "/admin/areas/new"): DEPLOYMENT,
    ("POST", "/admin/areas/new"): DEPLOYMENT,
    # Area settings (issue 10): the manager's, and the area administrator's for set-up.
    ("GET", "/settings"): staff(M, AD),
    ("GET", "/settings/area"): staff(M, AD),
    ("POST", "/settings/area"): staff(M, AD),
    ("GET", "/settings/period"): staff(M, AD),
    ("POST", "/settings/period"): staff(M, AD),
    ("GET", "/settings/allocation"): staff(M, AD),
    ("POST", "/settings/allocation"): staff(M, AD),
    ("GET", "/settings/action-areas/new"): staff(M, AD),
    ("POST", "/settings/action-areas/new"): staff(M, AD),
    ("GET", "/settings/action-areas/{action_area_id}"): record(M, AD),
    ("POST", "/settings/action-areas/{action_area_id}"): record(M, AD),
    ("POST", "/settings/action-areas/{action_area_id}/remove"): record(M, AD),
    ("GET", "/settings/criteria/new"): staff(M, AD),
    ("POST", "/settings/criteria/new"): staff(M, AD),
    ("GET", "/settings/criteria/{criterion_id}"): record(M, AD),
    ("POST", "/settings/criteria/{criterion_id}"): record(M, AD),
    ("POST", "/settings/criteria/{criterion_id}/remove"): record(M, AD),
    ("POST", "/settings/criteria/{criterion_id}/move"): record(M, AD),
    ("GET", "/settings/basic-conditions/new"): staff(M, AD),
    ("POST", "/settings/basic-conditions/new"): staff(M, AD),
    ("GET", "/settings/basic-conditions/{condition_id}"): record(M, AD),
    ("POST", "/settings/basic-conditions/{condition_id}"): record(M, AD),
    ("POST", "/settings/basic-conditions/{condition_id}/move"): record(M, AD),
    # Personal data (issue 10): the register for all staff; data subject access for the office
    # and the administrator; the access log for the administrator; anonymisation for manager and
    # administrator.
    ("GET", "/personal-data"): staff(*Role),
    ("GET", "/personal-data/subject"): staff(H, M, AD),
    ("POST", "/personal-data/subject"): staff(H, M, AD),
    ("POST", "/personal-data/subject/export.json"): staff(H, M, AD),
    ("POST", "/personal-data/subject/export.pdf"): staff(H, M, AD),
    ("GET", "/personal-data/access-log"): staff(AD),
    ("GET", "/personal-data/anonymise"): staff(M, AD),
    ("POST", "/personal-data/anonymise"): staff(M, AD),
}


# --- How each route is asked ---


@dataclass(frozen=True)
class Call:
    """What a request to a route carries beyond the defaults: path parameters that take
    another record of the data set (parameter → key in ``World.ids``), a query string, and a
    form (values formatted with ``World.ids``) or JSON body. Bodies are minimal: the point is
    to get past authorisation; an incomplete form must then be refused with errors
    (400/409/422), never a 5xx."""

    params: dict[str, str] = field(default_factory=dict)
    query: str = ""
    form: dict[str, str] = field(default_factory=dict)
    json: dict[str, Any] = field(default_factory=dict)


# Path parameter → the record (key in ``World.ids``) it takes unless ``CALLS`` says otherwise.
DEFAULT_PARAMS = {
    "application_id": "case",
    "claim_id": "claim",
    "decision_id": "decision",
    "umbrella_id": "umbrella",
    "attachment_id": "attachment",
    "member_id": "member",
    "meeting_id": "meeting",
    "item_id": "item",
    "activity_id": "activity",
    "request_id": "request",
    "token": "draft_token",
    "step": "step",
    "what": "export",
    "fmt": "format",
    "path": "static_file",
    "user_id": "user",
    "invitation": "password_token",
    "action_area_id": "action_area",
    "criterion_id": "criterion",
    "condition_id": "condition",
}
CALLS: dict[Route, Call] = {
    ("POST", "/language"): Call(form={"language": "en", "next": "/"}),
    # The case page's forms carry the version of the case they were drawn from: with it they
    # get past the staleness check to their own validation.
    **{
        route: Call(form={"version": "{case_version}"})
        for route in ACCESS
        if route[0] == "POST" and route[1].startswith("/cases/{application_id}/")
    },
    ("POST", "/organisations/validate"): Call(query="field=name"),
    ("POST", "/a/{token}/validate"): Call(query="step=organisation&field=name"),
    # A granted case: the applicant's case page with claims and the final report.
    ("GET", "/a/{token}"): Call(params={"token": "case_token"}),
    ("POST", "/a/{token}/claims"): Call(params={"token": "case_token"}),
    ("POST", "/a/{token}/receipts"): Call(params={"token": "case_token"}),
    ("POST", "/a/{token}/report"): Call(params={"token": "case_token"}),
    ("POST", "/a/{token}/withdraw"): Call(params={"token": "case_token"}),
    ("POST", "/a/{token}/requests/{request_id}"): Call(params={"token": "awaiting_token"}),
    # Deleting removes the file itself (outside the rolled-back transaction): not the one that
    # the download rows read.
    ("POST", "/a/{token}/attachments/{attachment_id}/delete"): Call(
        params={"attachment_id": "doomed_attachment"}
    ),
    ("GET", "/board/meetings/{meeting_id}/minutes"): Call(params={"meeting_id": "adjusted"}),
    ("GET", "/board/meetings/{meeting_id}/minutes.pdf"): Call(params={"meeting_id": "adjusted"}),
    # A well-formed body, so that another area's user meets the area check, not a 422.
    ("POST", "/api/v1/applications/{application_id}/transitions"): Call(
        json={"name": "start_review", "version": 1}
    ),
}


def app_routes(app: FastAPI) -> set[Route]:
    """Every (method, path) the app answers, from its router. HEAD is left out: where it is
    answered (the framework's own GET routes), the GET endpoint answers it."""
    routes: set[Route] = set()
    for route in iter_route_contexts(app.routes):
        if isinstance(route.original_route, Mount):
            routes.add(("GET", f"{route.path}/{{path}}"))  # static files: GET only
        else:
            routes.update((method, route.path) for method in route.methods - {"HEAD"})
    return routes


def _settings(tmp_dir: Path) -> Settings:
    return Settings(
        environment="test",
        login_max_failures=5,
        secret_key="k" * 48,
        attachments_dir=tmp_dir / "attachments",
        mail_sender_enabled=False,
    )


ROUTES = sorted(app_routes(create_app(Settings(environment="test", secret_key="k" * 48))))


# --- The data set: one area with a record for every path parameter, and its neighbour ---

CSRF = secrets.token_urlsafe(16)


@dataclass
class World:
    client: TestClient
    connection: Connection
    ids: dict[str, str]
    sessions: dict[str, str]  # principal → session cookie

    def url(self, route: Route, *, token: str | None = None) -> str:
        call = CALLS.get(route, Call())
        values = {
            name: self.ids[call.params.get(name, key)] for name, key in DEFAULT_PARAMS.items()
        }
        if token is not None:
            values["token"] = token
        url = route[1].format(**values)
        return f"{url}?{call.query}" if call.query else url

    def send(self, route: Route, principal: str, url: str) -> Response:
        """One request as ``principal``, in a savepoint rolled back afterwards. The cookie jar
        is set afresh each time: a logout or a flash message must not leak into the next row."""
        method = route[0]
        cookies = {CSRF_COOKIE: CSRF}
        if principal != ANONYMOUS:
            cookies[SESSION_COOKIE] = self.sessions[principal]
        self.client.cookies = cookies
        call = CALLS.get(route, Call())
        body: dict[str, Any] = {}
        if method != "GET":
            form = {name: value.format(**self.ids) for name, value in call.form.items()}
            body = {"json": call.json} if url.startswith("/api/") else {"data": form}
        savepoint = self.connection.begin_nested()
        try:
            return self.client.request(
                method, url, headers={CSRF_HEADER: CSRF}, follow_redirects=False, **body
            )
        finally:
            savepoint.rollback()


def _granted(db: Session, area: AreaSetup) -> tuple[Application, Decision]:
    """A 20 000 kr småstöd under delegation, committed, with a decision letter and a claim."""
    case = make_small_grant_case(db, area, status=ApplicationStatus.APPROVED)
    case.granted_ore = 20_000 * KR
    record_entry(db, area.actor, period=area.period, kind=LedgerKind.COMMITMENT,
                 amount_ore=case.granted_ore, reason="Beslut", application=case)  # fmt: skip
    decision = Decision(
        area_id=area.area.id, application_id=case.id, body=DecisionBody.OFFICE,
        outcome=DecisionOutcome.APPROVED, amount_ore=case.granted_ore, motivation="Bra.",
        decided_on=local_today(), decided_by_name="Handläggare", letter_html="<p>Beslut</p>",
    )  # fmt: skip
    db.add(decision)
    claim, result = payments.submit_claim(
        db, applicants.applicant_actor(case), case,
        {"kind": "partial", "amount": "5 000", "actual_costs": "6 000", "description": "Inköp",
         "form_token": "matrix"},
    )  # fmt: skip
    assert claim is not None, result.errors
    return case, decision


def _awaiting(db: Session, area: AreaSetup, title: str) -> InformationRequest:
    case = make_small_grant_case(db, area, title=title,
                                 status=ApplicationStatus.AWAITING_INFORMATION)  # fmt: skip
    request = InformationRequest(area_id=area.area.id, application=case, message="Stadgarna?",
                                 deadline=local_today() + timedelta(days=14))  # fmt: skip
    db.add(request)
    db.flush()
    return request


def _criterion(db: Session, area: AreaSetup) -> int:
    criterion = SelectionCriterion(area_id=area.area.id, period_id=area.period.id, position=1,
                                   name="Lokal förankring", weight=10, max_points=10)  # fmt: skip
    db.add(criterion)
    db.flush()
    return criterion.id


def build(db: Session, settings: Settings) -> dict[str, str]:
    """The records behind every path parameter, and magic links (valid and expired) to each
    applicant page's application and to a twin in the same state."""
    area = make_area(db, "testbygd")
    other = make_area(db, "grannbygd", allocation_kr=20_000_000, frame_kr=6_000_000)
    everything = User(area_id=other.area.id, email="alla@grannbygd.test", full_name="Alla roller",
                      password_hash=password_hash(),
                      role_links=[UserRole(role=role) for role in Role])  # fmt: skip
    enable_two_factor(everything)  # an administrator, like every principal holding the role
    db.add(everything)
    board = make_board(db, area)
    call_open = area.umbrella.call_opens_at + timedelta(days=1)
    draft, twin_draft = (applicants.start_draft(db, area.umbrella, call_open) for _ in range(2))

    def attach(name: str) -> int:
        return store(
            db, applicants.applicant_actor(draft), application=draft, label="Budget",
            filename=name, data=files.pdf(), storage_dir=settings.attachments_dir,
            max_bytes=settings.max_attachment_bytes,
        ).id  # fmt: skip

    case, decision = _granted(db, area)
    request, twin_request = (_awaiting(db, area, title) for title in ("Väntar", "Väntar också"))
    meeting, result = meetings.create_meeting(
        db, area.actor, area.area.id,
        {"held_on": str(local_today()), "starts_at": "18:00", "place": "Bygdegården"},
        today=local_today(),
    )  # fmt: skip
    assert meeting is not None, result.errors
    item = meetings.add_free_item(db, area.actor, meeting, "Budgetläget", "")
    adjusted = Meeting(
        area_id=area.area.id, held_on=local_today() - timedelta(days=30), place="Bygdegården",
        status=MeetingStatus.ADJUSTED, minutes_html="<p>Protokoll</p>", minutes_pdf=files.pdf(),
    )  # fmt: skip
    activity = OperationActivity(position=1, title="Workshops", target_count=4, goal=OperationGoal(
        area_id=area.area.id, year=local_today().year, position=1, title="Beredskap"))  # fmt: skip
    db.add_all([adjusted, activity])
    db.flush()

    records = {
        "case": case.id, "claim": payments.claims_for(db, case)[0].id, "decision": decision.id,
        "umbrella": area.umbrella.id, "member": board["civil3"].id, "meeting": meeting.id,
        "item": item.id, "adjusted": adjusted.id, "activity": activity.id,
        "request": request.id, "attachment": attach("budget.pdf"),
        "doomed_attachment": attach("gammal-budget.pdf"),
    }  # fmt: skip
    expired = utcnow() - timedelta(days=settings.applicant_link_days + 1)
    linked = {"draft": draft, "twin_draft": twin_draft, "case": case,
              "awaiting": request.application,
              "twin_awaiting": twin_request.application}  # fmt: skip
    tokens = {}
    for name, application in linked.items():
        tokens[f"{name}_token"] = applicants.issue_link(db, settings, application)
        tokens[f"expired_{name}_token"] = applicants.issue_link(db, settings, application, expired)
    db.flush()
    return {
        **{key: str(value) for key, value in records.items()},
        "case_version": str(case.version),  # as the case page would post it
        "step": "organisation", "export": "ledger", "format": "csv",
        "static_file": "css/app.css",
        "user": str(area.users[Role.LAG_MEMBER].id),
        "password_token": accounts.password_token(settings, area.users[Role.HANDLER]),
        # Area settings: the area's action area and first basic condition, and a criterion.
        "action_area": str(area.action_area.id),
        "criterion": str(_criterion(db, area)),
        "condition": str(area.period.basic_conditions[0].id),
        **tokens,
    }  # fmt: skip


@pytest.fixture(scope="module")
def world(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The data set, built once in a transaction rolled back at the end of the module, and a
    logged-in session for every staff principal."""
    settings = _settings(tmp_path_factory.mktemp("matrix"))
    with engine.connect() as connection:
        transaction = connection.begin()
        factory = make_session_factory(connection, join_transaction_mode="create_savepoint")
        with factory() as db:
            ids = build(db, settings)
            db.commit()
        app = create_app(settings)
        app.state.session_factory = factory
        with TestClient(app, base_url="http://testserver") as client:
            sessions = {}
            emails = {role.value: f"{role.value}@testbygd.test" for role in Role}
            for principal, email in {**emails, OTHER_AREA: "alla@grannbygd.test"}.items():
                client.cookies.clear()
                assert login(client, email).status_code == 303, principal
                sessions[principal] = client.cookies[SESSION_COOKIE]
            yield World(client, connection, ids, sessions)
        transaction.rollback()


# --- The checks ---


def outcome_of(route: Route, url: str, response: Response) -> Outcome | str:
    """What the response means for authorisation. Anything that is not one of the outcomes
    (a 5xx, a failed GET, a login demanded in the wrong form) comes back as a description."""
    status, location = response.status_code, response.headers.get("location", "")
    to_login = location.startswith("/login?")
    if url.startswith("/api/") and status == 401:
        return Outcome.LOGIN
    if status == 303 and location == f"/login?next={quote(url)}":
        return Outcome.LOGIN
    if status == 403:
        return Outcome.FORBIDDEN
    if status == 404:
        return Outcome.NOT_FOUND
    failed = status >= 500 or status == 401 or to_login or (route[0] == "GET" and status >= 400)
    return f"{status} {location}".strip() if failed else Outcome.ALLOWED


@pytest.mark.parametrize("route", ROUTES, ids=" ".join)
def test_route_access(world: World, route: Route) -> None:
    rule = ACCESS.get(route)
    assert rule is not None, f"{' '.join(route)} is not in ACCESS: declare who may use it"
    url = world.url(route)
    mismatches = []
    for principal in PRINCIPALS:
        actual = outcome_of(route, url, world.send(route, principal, url))
        if actual != rule.expected(principal):
            mismatches.append(f"{principal}: expected {rule.expected(principal)}, got {actual}")
    assert not mismatches, f"{' '.join(route)} ({url}):\n" + "\n".join(mismatches)


def test_the_table_names_only_existing_routes() -> None:
    gone = sorted(" ".join(route) for route in set(ACCESS) - set(ROUTES))
    assert not gone, f"ACCESS names routes the app no longer has: {', '.join(gone)}"


# --- Magic links ---

TOKEN_ROUTES = [route for route in ROUTES if "{token}" in route[1]]
# Routes naming a record of the application besides the token: a twin application's token
# must not reach it.
TWIN_TOKENS = {"draft_token": "twin_draft_token", "awaiting_token": "twin_awaiting_token"}
LINK_INVALID = "Länken fungerar inte."


def tampered(token: str) -> str:
    """One character of the signature changed."""
    at = len(token) - 5
    return token[:at] + ("A" if token[at] != "A" else "B") + token[at + 1 :]


@pytest.mark.parametrize("route", TOKEN_ROUTES, ids=" ".join)
def test_magic_links(world: World, route: Route) -> None:
    token_key = CALLS.get(route, Call()).params.get("token", DEFAULT_PARAMS["token"])
    problems = []

    url = world.url(route)
    valid = world.send(route, ANONYMOUS, url)
    if route[0] == "GET":
        opened = valid.status_code == 200  # the page itself, not a redirect elsewhere
    else:
        opened = outcome_of(route, url, valid) is Outcome.ALLOWED
    if not opened:
        problems.append(f"valid token: got {valid.status_code}")

    # Both look the same to the visitor: the link no longer works, and how to get a new one.
    for variant, token in (
        ("expired", world.ids[f"expired_{token_key}"]),
        ("tampered", tampered(world.ids[token_key])),
    ):
        response = world.send(route, ANONYMOUS, world.url(route, token=token))
        if response.status_code != 404 or LINK_INVALID not in response.text:
            problems.append(f"{variant} token: got {response.status_code}")

    if any(param in route[1] for param in ("{attachment_id}", "{request_id}")):
        twin = world.ids[TWIN_TOKENS[token_key]]
        response = world.send(route, ANONYMOUS, world.url(route, token=twin))
        if not 400 <= response.status_code < 500:
            problems.append(f"another application's token: got {response.status_code}")

    assert not problems, f"{' '.join(route)}:\n" + "\n".join(problems)
