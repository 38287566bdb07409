"""API fuzzing: schemathesis generates requests from the app's own OpenAPI schema and sends
them to the app in-process, logged in as each staff role and without a login. No answer may be
a server error, every answer must be documented (status, content type, body schema), invalid
input must be refused, and every refusal (4xx) must say why in a Swedish ``detail``.

The database holds a real area (applications in several states, and a neighbouring area), and
each request runs inside a savepoint that is rolled back afterwards, so a transition that
succeeds never changes what the next example sees."""

from collections.abc import Iterator
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import hypothesis
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import strategies as st
from schemathesis import Case, CheckContext, Response
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Connection
from sqlalchemy.orm import Session, sessionmaker

from app.applications import workflow
from app.applications.models import Application, ApplicationKind, ApplicationStatus
from app.auth.csrf import CSRF_HEADER
from app.auth.models import Role
from app.casework.service import SIMPLE_TRANSITIONS
from app.config import Settings
from app.core.params import MAX_RECORD_ID
from app.main import create_app
from tests.factories import AreaSetup, make_application, make_small_grant_case
from tests.http import csrf_token, login

# Per operation and role, on top of schemathesis's schema examples and coverage cases.
MAX_EXAMPLES = 40

# One app for the module: schemathesis makes one test per operation when the module is
# collected, from the schema the app serves; each test gives the app its own transaction.
APP = create_app(Settings(environment="test", secret_key="k" * 48, mail_sender_enabled=False))
schema = schemathesis.openapi.from_dict(
    APP.openapi(),
    config=schemathesis.Config.from_dict(
        {
            "generation": {
                "max-examples": MAX_EXAMPLES,
                # The same examples on every run and database; nothing saved between runs.
                "deterministic": True,
                "database": "none",
            }
        }
    ),
)


@dataclass(frozen=True)
class Seeded:
    version: int
    status: ApplicationStatus


# The seeded cases of the running test, by id, for ``flatmap_case``.
seeded: dict[int, Seeded] = {}


def _is_record_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_RECORD_ID


@schema.hook
def flatmap_case(_context: schemathesis.HookContext, case: Case) -> st.SearchStrategy[Case]:
    """Random ids almost never exist, so about half of the valid cases are pointed at a seeded
    case. A transition's body then carries that case's version and the name of a transition
    from its status (or ``start_review``, mostly refused), so that changes that succeed and
    the workflow's refusals are exercised, not only the optimistic lock."""
    if case.meta is None or case.meta.generation.mode.is_negative:
        return st.just(case)  # invalid on purpose; pointing it at a real case could hide that
    if not _is_record_id(case.path_parameters.get("application_id")):
        return st.just(case)

    def pointed(choice: tuple[int, str] | None) -> Case:
        if choice is not None:
            application_id, name = choice
            case.path_parameters = {**case.path_parameters, "application_id": application_id}
            if isinstance(case.body, dict):
                version = seeded[application_id].version
                case.body = {**case.body, "name": name, "version": version}
        return case

    choices = [
        (i, name)
        for i in sorted(seeded)
        for name in SIMPLE_TRANSITIONS
        if name == "start_review" or seeded[i].status in workflow.BY_NAME[name].sources
    ]
    return st.one_of(st.none(), st.sampled_from(choices)).map(pointed)


def seed_cases(db: Session, area: AreaSetup, other_area: AreaSetup) -> list[Application]:
    """Cases in the states the API treats differently, a Leader project without a reference,
    and a case in another area (which must look as if it did not exist)."""
    statuses = (
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.IN_REVIEW,
        ApplicationStatus.AWAITING_INFORMATION,
        ApplicationStatus.READY_FOR_DECISION,
        ApplicationStatus.ON_AGENDA,
        ApplicationStatus.APPROVED,
        ApplicationStatus.WITHDRAWN,
    )
    cases = [
        make_small_grant_case(db, area, status=status, title=f"Fall {status.value}")
        for status in statuses
    ]
    cases.append(make_application(db, area, kind=ApplicationKind.LEADER_PROJECT))
    cases.append(make_small_grant_case(db, other_area, status=ApplicationStatus.SUBMITTED))
    db.commit()
    return cases


@dataclass(frozen=True)
class Caller:
    """A logged-in API client: the session and CSRF cookies, and the CSRF token in the header
    as the app requires for unsafe methods; ``connection`` holds the test's transaction."""

    cookies: dict[str, str]
    headers: dict[str, str]
    connection: Connection


@pytest.fixture(params=[*Role, None], ids=lambda role: str(role or "anonymous"))
def role(request: pytest.FixtureRequest) -> Role | None:
    return request.param


@pytest.fixture
def caller(
    db: Session,
    session_factory: sessionmaker[Session],
    connection: Connection,
    area: AreaSetup,
    other_area: AreaSetup,
    role: Role | None,
) -> Iterator[Caller]:
    cases = seed_cases(db, area, other_area)
    APP.state.session_factory = session_factory
    with TestClient(APP, base_url="http://testserver") as client:
        if role is not None:
            assert login(client, area.users[role].email).status_code == 303
        token = csrf_token(client)  # sets the CSRF cookie if the login did not
        caller = Caller(
            cookies=dict(client.cookies), headers={CSRF_HEADER: token}, connection=connection
        )
    seeded.update({case.id: Seeded(case.version, case.status) for case in cases})
    yield caller
    seeded.clear()


def refusal_says_why(_ctx: CheckContext, response: Response, case: Case) -> None:
    """A 4xx carries a message for people in ``detail`` (the requests ask for no language, so
    it is the app's Swedish): a non-empty text, not a framework default such as an English
    status phrase ("Not Found") or a bare list of validation errors."""
    if not 400 <= response.status_code < 500:
        return
    body = response.json()
    detail = body.get("detail") if isinstance(body, dict) else None
    assert isinstance(detail, str), f"{response.status_code} without a detail text: {body!r}"
    assert detail.strip(), f"{response.status_code} with an empty detail"
    assert detail != HTTPStatus(response.status_code).phrase, f"English default: {detail!r}"


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
    refusal_says_why,
]


@schema.parametrize()
# The login and the seeded cases are only read; what an example writes is rolled back below.
@hypothesis.settings(suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture])
def test_api_answers_as_documented(case: Case, caller: Caller) -> None:
    savepoint = caller.connection.begin_nested()
    try:
        case.call_and_validate(
            app=APP, cookies=caller.cookies, headers=caller.headers, checks=CHECKS
        )
    finally:
        savepoint.rollback()


# Regressions for what the fuzzing found.


def test_a_body_that_cannot_be_read_is_refused_in_swedish(handler: TestClient) -> None:
    """Bytes that are not UTF-8 made FastAPI answer 400 "There was an error parsing the body":
    English, and undocumented."""
    response = handler.post(
        "/api/v1/applications/1/transitions",
        content=b"\xff~\xc3",
        headers={"content-type": "application/json", CSRF_HEADER: csrf_token(handler)},
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "Begäran kunde inte tolkas."}


def test_a_form_that_cannot_be_read_is_refused_in_swedish(client: TestClient) -> None:
    """The same for pages: Starlette's "Missing boundary in multipart." reached the error page."""
    response = client.post("/login", content=b"x", headers={"content-type": "multipart/form-data"})
    assert response.status_code == 400
    assert "Begäran kunde inte tolkas." in response.text
    assert "boundary" not in response.text


def test_every_refusal_is_documented_with_its_body(handler: TestClient) -> None:
    """The schema promised FastAPI's validation error (``detail`` as a list) and no 401/403/404
    bodies at all; the app answers ``{"detail": "<text>"}`` (plus ``errors`` for a 422)."""
    spec = handler.get("/api/v1/openapi.json").json()
    components = spec["components"]["schemas"]
    assert "HTTPValidationError" not in components
    assert components["ErrorOut"]["properties"]["detail"]["type"] == "string"
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status in ("401", "403"):
                assert status in operation["responses"], f"{method} {path} {status}"
    one_case = spec["paths"]["/api/v1/applications/{application_id}"]["get"]["responses"]
    assert one_case["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ValidationErrorOut"
    }
    refused = handler.get("/api/v1/applications/0")
    assert refused.status_code == 422
    assert refused.json()["detail"] == "Uppgifterna kunde inte tas emot."
    assert refused.json()["errors"][0]["loc"] == ["path", "application_id"]


def test_an_oversized_api_body_is_refused_with_the_api_error_body(
    client: TestClient, settings
) -> None:
    """The size limit answered API clients in plain text; they now get ``detail`` too."""
    limit = settings.max_attachment_bytes + 1024 * 1024
    response = client.post(
        "/api/v1/applications/1/transitions",
        content=b"{}",
        headers={"content-type": "application/json", "content-length": str(limit + 1)},
    )
    assert response.status_code == 413
    assert "för stort" in response.json()["detail"]
