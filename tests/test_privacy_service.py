"""Personal data rules: the declaration on every text column, the register drawn from it, the
data subject access search (scoped to one area) and the access log."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import JSON, Column, Enum, Integer, MetaData, String, Table, Text, select
from sqlalchemy.orm import Session

from app.applications.models import InformationRequest
from app.auth.models import Role
from app.core.forms import FieldError
from app.models import Base
from app.organisations.models import LegalForm
from app.privacy import service
from app.privacy.declaration import (
    CONTACT_EMAIL,
    STRUCTURE,
    TABLE_LABELS,
    Category,
    LegalBasis,
    Method,
    PersonalData,
    Purpose,
    Subject,
    personal_columns,
    unclassified,
)
from app.privacy.models import AccessAction, PersonalDataAccess
from tests.factories import AreaSetup, make_small_grant_case

KEY = "k" * 48

# --- The declaration -------------------------------------------------------------------------


def test_every_text_column_says_whether_it_holds_personal_data() -> None:
    assert unclassified(Base.metadata) == []


def test_a_new_column_must_be_classified() -> None:
    metadata = MetaData()
    Table("things", metadata, Column("id", Integer, primary_key=True),
          Column("note", Text), Column("data", JSON), Column("kind", Enum("a", "b")),
          Column("name", String(10), info=STRUCTURE),
          Column("email", String(10), info=CONTACT_EMAIL))  # fmt: skip
    assert unclassified(metadata) == ["things.note", "things.data"]


def test_a_kept_column_must_say_why() -> None:
    with pytest.raises(ValueError, match="why"):
        PersonalData(Category.NAME, Subject.STAFF, Purpose.ACCOUNTABILITY, Method.KEEP)


def test_every_table_with_personal_data_has_a_name_in_the_register() -> None:
    holding = {table.name for table in Base.metadata.sorted_tables if personal_columns(table)}
    assert holding == set(TABLE_LABELS)


def test_anonymisation_reaches_every_column_it_declares_to_change() -> None:
    """A column that anonymisation should clear, replace or scrub must be in a record that the
    run finds from the case (or be the organisation or the audit log, found their own way)."""
    unreachable = [
        f"{table.name}.{name}"
        for table in Base.metadata.sorted_tables
        for name, data in personal_columns(table).items()
        if data.method is not Method.KEEP
        and table.name not in ("organisations", "audit_events")
        and service.case_clause(table, [1]) is None
    ]
    assert unreachable == []


def test_the_register_says_what_why_and_how_long() -> None:
    groups = {group.table: dict(group.columns) for group in service.register(Base.metadata)}
    assert list(groups)[:2] == ["applications", "organisations"]
    email = groups["applications"]["contact_email"]
    assert (email.category, email.subject, email.legal_basis, email.method) == (
        Category.EMAIL, Subject.CONTACT, LegalBasis.PUBLIC_TASK, Method.CLEAR)  # fmt: skip
    assert "password_hash" not in groups["users"]
    assert service.retention_text(email, 84) == "Anonymiseras 84 månader efter att ärendet " \
        "avslutats: töms."  # fmt: skip
    kept = groups["users"]["full_name"]
    assert service.retention_text(kept, 84).startswith("Så länge kontot finns")


# --- Data subject access ---------------------------------------------------------------------


def test_search_terms_are_checked() -> None:
    for term in ("", "  e ", "ab"):
        with pytest.raises(FieldError, match="minst tre tecken"):
            service.check_term(term)
    with pytest.raises(FieldError, match="Högst 254 tecken"):
        service.check_term("a" * 255)
    assert service.check_term("  Eva   EK ") == "eva ek"


def test_the_subject_is_remembered_by_a_keyed_hash_only() -> None:
    one = service.subject_hash(KEY, "Eva@Example.se")
    assert one == service.subject_hash(KEY, " eva@example.se ")
    assert one != service.subject_hash("x" * 48, "eva@example.se")
    assert "eva" not in one and len(one) == 64


@pytest.fixture
def eva(db: Session, area: AreaSetup, other_area: AreaSetup):
    """Eva's case with a komplettering (her answer does not name her) and a neighbour's case
    with the same contact, which must never show up."""
    case = make_small_grant_case(db, area)
    case.contact_phone = "070-111 22 33"
    db.add(InformationRequest(area_id=area.area.id, application=case, message="Stadgarna?",
                              deadline=date(2026, 12, 1), answer_text="Bifogade.",
                              answered_at=datetime(2026, 11, 20, tzinfo=UTC)))  # fmt: skip
    make_small_grant_case(db, other_area)
    db.flush()
    return case


def _find(db: Session, area: AreaSetup, term: str) -> list[service.FoundRecord]:
    return service.find_subject(db, Base.metadata, area.area.id, term, KEY)


def test_an_email_address_finds_the_persons_cases_and_their_records(
    db: Session, area: AreaSetup, eva
) -> None:
    found = _find(db, area, "EVA@example.se")
    application = next(r for r in found if r.table == "applications")
    assert (application.record_id, application.reference) == (eva.id, eva.reference)
    assert application.matched == {"contact_email"}
    values = {name: value for name, _, value in application.fields}
    assert values["contact_phone"] == "070-111 22 33" and values["title"] == eva.title
    # The komplettering is hers although it does not name her.
    answer = next(r for r in found if r.table == "information_requests")
    assert answer.matched == frozenset() and answer.reference == eva.reference
    assert {r.application_id for r in found if r.application_id} == {eva.id}


def test_a_name_is_found_wherever_it_is_written(db: Session, area: AreaSetup, eva) -> None:
    eva.description = "Projektledare är EVA EK från byn."
    db.flush()
    found = _find(db, area, "eva ek")
    application = next(r for r in found if r.table == "applications")
    assert application.matched == {"contact_name", "description"}
    assert _find(db, area, "Eva Ekström") == []


def test_a_personnummer_finds_a_sole_trader(db: Session, area: AreaSetup) -> None:
    area.organisation.legal_form = LegalForm.SOLE_TRADER
    area.organisation.org_number = "7901012380"
    db.flush()
    for term in ("790101-2380", "197901012380", "7901012380"):
        found = _find(db, area, term)
        assert [(r.table, r.matched) for r in found] == [("organisations", {"org_number"})]


def test_nothing_of_another_area_is_found(
    db: Session, area: AreaSetup, other_area: AreaSetup, eva
) -> None:
    found = _find(db, other_area, "eva@example.se")  # the neighbour's own Eva only
    assert found and {r.application_id for r in found if r.application_id} != {eva.id}
    assert all(r.application_id != eva.id for r in found)


def test_a_search_and_an_export_are_logged_without_the_term(
    db: Session, area: AreaSetup, eva
) -> None:
    user = area.users[Role.HANDLER]
    subject = service.subject_hash(KEY, "eva@example.se")
    service.record_subject_access(db, user, area.actor, AccessAction.SEARCH, subject, 3)
    db.flush()
    row = db.scalars(select(PersonalDataAccess)).one()
    assert (row.user_id, row.action, row.subject_hash, row.matches) == (
        user.id, AccessAction.SEARCH, subject, 3)  # fmt: skip
    # The log is itself about her: her extract shows it.
    assert any(r.table == "personal_data_access" for r in _find(db, area, "eva@example.se"))


# --- The access log --------------------------------------------------------------------------


def test_the_access_log_is_filtered_by_person_and_days_and_kept_per_area(
    db: Session, area: AreaSetup, other_area: AreaSetup, eva
) -> None:
    handler, manager = area.users[Role.HANDLER], area.users[Role.MANAGER]
    for user, days_ago in ((handler, 0), (handler, 3), (manager, 10)):
        service.log_access(db, user, AccessAction.VIEW_CASE, application_id=eva.id)
        db.flush()
        entry = db.scalars(
            select(PersonalDataAccess).order_by(PersonalDataAccess.id.desc())
        ).first()
        entry.at = datetime(2026, 11, 20, 12, tzinfo=UTC) - timedelta(days=days_ago)
    service.log_access(db, other_area.users[Role.HANDLER], AccessAction.EXPORT_CASE_LIST)
    db.flush()

    def log(**filters) -> list[tuple[str, date]]:
        page = service.access_log(db, area.area.id, service.AccessFilter(**filters))
        return [(entry.user.full_name, entry.at.date()) for entry in page.items]

    assert log() == [(handler.full_name, date(2026, 11, 20)), (handler.full_name,
                     date(2026, 11, 17)), (manager.full_name, date(2026, 11, 10))]  # fmt: skip
    assert log(user_id=manager.id) == [(manager.full_name, date(2026, 11, 10))]
    assert [d for _, d in log(since=date(2026, 11, 11), until=date(2026, 11, 17))] == [
        date(2026, 11, 17)
    ]
    page = service.access_log(db, area.area.id, service.AccessFilter(), page=2, per_page=2)
    assert (page.total, page.pages, len(page.items)) == (3, 2, 1)
