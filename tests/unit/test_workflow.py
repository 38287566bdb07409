"""The workflow, exhaustively: every status × every transition × every kind × every actor."""

import itertools
import re

import pytest

from app.applications.models import Application, ApplicationKind, ApplicationStatus
from app.applications.workflow import (
    APPLICANT,
    BY_NAME,
    TRANSITIONS,
    TransitionRefused,
    available,
    check,
    mermaid,
)
from app.auth.models import Role
from app.config import PROJECT_ROOT

ACTORS = [APPLICANT, *(role.value for role in Role)]
CASES = list(itertools.product(ApplicationStatus, TRANSITIONS, ApplicationKind, ACTORS))


def _application(kind: ApplicationKind, status: ApplicationStatus) -> Application:
    return Application(kind=kind, status=status)


@pytest.mark.parametrize(
    ("status", "transition", "kind", "actor"),
    CASES,
    ids=[f"{s.value}-{t.name}-{k.value}-{a}" for s, t, k, a in CASES],
)
def test_every_combination(status, transition, kind, actor) -> None:
    application = _application(kind, status)
    allowed = status in transition.sources and kind in transition.kinds and actor in transition.by
    if allowed:
        assert check(application, transition.name, frozenset({actor})) is transition
        assert transition in available(application, frozenset({actor}))
    else:
        with pytest.raises(TransitionRefused) as refused:
            check(application, transition.name, frozenset({actor}))
        assert refused.value.message.endswith(("”.", "."))
        assert transition not in available(application, frozenset({actor}))


def test_refusals_say_why_in_swedish() -> None:
    small = _application(ApplicationKind.SMALL_GRANT, ApplicationStatus.APPROVED)
    with pytest.raises(TransitionRefused, match=re.escape("”Prioritera” gäller inte småstöd.")):
        check(small, "prioritise", frozenset({Role.LAG_CHAIR.value}))
    with pytest.raises(TransitionRefused, match="går inte när ansökan har status ”beviljad”"):
        check(small, "withdraw", frozenset({APPLICANT}))
    waiting = _application(ApplicationKind.SMALL_GRANT, ApplicationStatus.READY_FOR_DECISION)
    with pytest.raises(TransitionRefused, match=re.escape("Du har inte behörighet att ”bevilja”.")):
        check(waiting, "approve", frozenset({APPLICANT}))
    with pytest.raises(TransitionRefused, match=re.escape("Okänd åtgärd.")):
        check(waiting, "trolla", frozenset({Role.ADMIN.value}))


@pytest.mark.parametrize("kind", list(ApplicationKind))
def test_every_state_is_reachable_and_every_case_can_end(kind: ApplicationKind) -> None:
    edges = {(source, t.target) for t in TRANSITIONS if kind in t.kinds for source in t.sources}
    reachable, frontier = {ApplicationStatus.DRAFT}, [ApplicationStatus.DRAFT]
    while frontier:
        current = frontier.pop()
        for source, target in edges:
            if source is current and target not in reachable:
                reachable.add(target)
                frontier.append(target)
    expected = set(ApplicationStatus)
    if kind is ApplicationKind.SMALL_GRANT:
        expected.discard(ApplicationStatus.PRIORITISED)  # only Leader projects are prioritised
    else:  # a Leader project's komplettering goes through Jordbruksverket's e-service
        expected.discard(ApplicationStatus.AWAITING_INFORMATION)
    assert reachable == expected
    # From every reachable state there is a path to an end (closed or withdrawn).
    ends = {ApplicationStatus.CLOSED, ApplicationStatus.WITHDRAWN}
    can_end = set(ends)
    changed = True
    while changed:
        changed = False
        for source, target in edges:
            if target in can_end and source not in can_end:
                can_end.add(source)
                changed = True
    assert reachable <= can_end
    assert not any(source in ends for source, _ in edges)


def test_only_the_applicant_submits_a_small_grant_and_only_the_office_registers_a_project() -> None:
    assert BY_NAME["submit"].by == {APPLICANT}
    assert BY_NAME["submit"].kinds == {ApplicationKind.SMALL_GRANT}
    assert APPLICANT not in BY_NAME["register"].by
    assert all(t.target not in t.sources for t in TRANSITIONS)


def test_the_documented_diagram_is_the_code() -> None:
    document = (PROJECT_ROOT / "docs" / "workflow.md").read_text(encoding="utf-8")
    assert f"```mermaid\n{mermaid()}\n```" in document
