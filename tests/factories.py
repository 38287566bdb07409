"""Small builders for test data: an area with its programme set-up, users per role, money."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache

from sqlalchemy.orm import Session

from app.applications.models import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    CostLine,
    FinancingKind,
    FinancingLine,
)
from app.applications.service import allocate_reference
from app.areas.models import ActionArea, Area, BasicCondition, ProgrammePeriod
from app.audit.service import Actor
from app.auth.models import Role, User, UserRole
from app.auth.service import hash_password
from app.board.models import BoardMember, BoardRole, Sector
from app.db import utcnow
from app.demo.seed import DEMO_TOTP_SECRET
from app.ledger.models import LedgerKind
from app.ledger.service import record_entry
from app.organisations.models import LegalForm, Organisation
from app.umbrellas.models import DecisionBody, UmbrellaProject

PASSWORD = "correct horse battery staple"
# The second factor of every test administrator (the demo's, so one helper logs in both).
TOTP_SECRET = DEMO_TOTP_SECRET
KR = 100
# The strategy's grundkrav every test period asks (the LAG answers them before scoring).
BASIC_CONDITIONS = (
    ("strategy", "Projektet bidrar till målen i områdets strategi"),
    ("leader_method", "Projektet följer Leadermetoden (lokalt, underifrån, samverkan)"),
    ("area", "Projektet genomförs i och gynnar Leaderområdet"),
)


@lru_cache
def password_hash() -> str:
    # argon2 is slow on purpose; hash once per test run.
    return hash_password(PASSWORD)


@dataclass
class AreaSetup:
    area: Area
    period: ProgrammePeriod
    action_area: ActionArea
    umbrella: UmbrellaProject
    organisation: Organisation
    users: dict[Role, User]
    actor: Actor


def make_area(
    db: Session,
    code: str = "testbygd",
    *,
    allocation_kr: int = 10_000_000,
    frame_kr: int = 4_000_000,
    pot_kr: int = 500_000,
) -> AreaSetup:
    area = Area(code=code, name=f"Leader {code.title()}")
    db.add(area)
    db.flush()
    period = ProgrammePeriod(
        area_id=area.id,
        name="2023–2027",
        starts_on=date(2023, 1, 1),
        ends_on=date(2027, 12, 31),
        uptake_target_percent=75,
        uptake_target_date=date(2026, 12, 31),
        pass_threshold_points=650,
        volunteer_rate_adult_ore=340 * KR,
        volunteer_rate_youth_ore=77 * KR,
    )
    db.add(period)
    db.flush()
    action_area = ActionArea(
        area_id=area.id,
        period_id=period.id,
        code="1",
        name="Bo & Leva",
        budget_frame_ore=frame_kr * KR,
    )
    db.add(action_area)
    db.add_all(
        BasicCondition(area_id=area.id, period_id=period.id, key=key, position=n, text=text)
        for n, (key, text) in enumerate(BASIC_CONDITIONS, 1)
    )
    db.flush()
    umbrella = UmbrellaProject(
        area_id=area.id,
        action_area_id=action_area.id,
        name="Beredskap",
        pot_ore=pot_kr * KR,
        min_grant_ore=10_000 * KR,
        max_grant_ore=50_000 * KR,
        volunteer_match_percent=50,
        max_project_months=6,
        call_opens_at=datetime(2026, 1, 1, tzinfo=UTC),
        call_closes_at=datetime(2027, 6, 30, tzinfo=UTC),
        eligible_legal_forms=[LegalForm.NON_PROFIT_ASSOCIATION.value],
        decision_body=DecisionBody.OFFICE,
        delegation_limit_ore=30_000 * KR,
    )
    organisation = Organisation(
        area_id=area.id,
        name=f"Byaföreningen i {code}",
        org_number="8020024280",
        legal_form=LegalForm.NON_PROFIT_ASSOCIATION,
    )
    db.add_all([umbrella, organisation])
    users = {}
    for role in Role:
        user = User(
            area_id=area.id,
            email=f"{role.value}@{code}.test",
            full_name=f"{role.label} {code}",
            password_hash=password_hash(),
            role_links=[UserRole(role=role)],
        )
        db.add(user)
        users[role] = user
    enable_two_factor(users[Role.ADMIN])  # administrators must have it
    db.flush()
    actor = Actor(label="Test", area_id=area.id)
    record_entry(
        db,
        actor,
        period=period,
        kind=LedgerKind.ALLOCATION,
        amount_ore=allocation_kr * KR,
        reason="Tilldelning",
    )
    return AreaSetup(area, period, action_area, umbrella, organisation, users, actor)


def enable_two_factor(user: User) -> None:
    """Two-factor login with ``TOTP_SECRET`` (tests.http.login answers the second step)."""
    user.totp_secret = TOTP_SECRET
    user.totp_enabled_at = utcnow()


def make_application(
    db: Session,
    setup: AreaSetup,
    *,
    kind: ApplicationKind = ApplicationKind.LEADER_PROJECT,
    title: str = "Mötesplats i bygden",
    requested_kr: int = 100_000,
    status: ApplicationStatus = ApplicationStatus.SUBMITTED,
) -> Application:
    application = Application(
        area_id=setup.area.id,
        kind=kind,
        title=title,
        action_area_id=setup.action_area.id,
        umbrella_project_id=setup.umbrella.id if kind is ApplicationKind.SMALL_GRANT else None,
        organisation_id=setup.organisation.id,
        requested_ore=requested_kr * KR,
        status=status,
    )
    db.add(application)
    db.flush()
    return application


def make_small_grant_case(
    db: Session,
    setup: AreaSetup,
    *,
    requested_kr: int = 20_000,
    title: str = "Krisberedskap i byn",
    status: ApplicationStatus = ApplicationStatus.IN_REVIEW,
) -> Application:
    """A received småstöd as the applicant's form leaves it: reference, contact, a balanced
    budget with volunteer work matching the grant, project dates after the day of receipt."""
    application = make_application(
        db, setup, kind=ApplicationKind.SMALL_GRANT, title=title, requested_kr=requested_kr,
        status=status,
    )  # fmt: skip
    application.reference = allocate_reference(db, setup.area.id, application.kind, 2026)
    application.description = "Vi ordnar en övning och köper in reservkraft."
    application.expected_results = "Fyrtio hushåll vet vad de ska göra vid ett längre elavbrott."
    application.applicant_name = setup.organisation.name
    application.contact_name = "Eva Ek"
    application.contact_email = "eva@example.se"
    application.bankgiro = "56781234"
    application.submitted_at = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    application.project_start = date(2026, 12, 1)
    application.project_end = date(2027, 4, 30)
    rate = setup.period.volunteer_rate_adult_ore
    hours = requested_kr * KR // rate
    volunteer_ore = hours * rate
    application.cost_lines = [
        CostLine(position=1, description="Reservkraft och material",
                 amount_ore=requested_kr * KR + volunteer_ore),
    ]  # fmt: skip
    application.financing_lines = [
        FinancingLine(position=1, kind=FinancingKind.LEADER_SUPPORT, amount_ore=requested_kr * KR),
        FinancingLine(position=2, kind=FinancingKind.VOLUNTEER_WORK, amount_ore=volunteer_ore,
                      volunteer_hours=hours, volunteer_rate_ore=rate,
                      volunteer_women=3, volunteer_men=2),
    ]  # fmt: skip
    db.flush()
    return application


def make_board(db: Session, setup: AreaSetup) -> dict[str, BoardMember]:
    """A LAG of nine ordinary members, three per sector, plus one free substitute per sector.
    The chair and one member have the area's chair and member logins."""
    seats = {
        "chair": ("Maria Ordförande", Sector.CIVIL_SOCIETY, BoardRole.CHAIR, Role.LAG_CHAIR),
        "civil2": ("Lena Ideell", Sector.CIVIL_SOCIETY, BoardRole.MEMBER, None),
        "civil3": ("Ahmed Ideell", Sector.CIVIL_SOCIETY, BoardRole.MEMBER, None),
        "public1": ("Per Kommun", Sector.PUBLIC, BoardRole.VICE_CHAIR, Role.LAG_MEMBER),
        "public2": ("Karin Region", Sector.PUBLIC, BoardRole.MEMBER, None),
        "public3": ("Olle Kommun", Sector.PUBLIC, BoardRole.MEMBER, None),
        "business1": ("Sara Företag", Sector.BUSINESS, BoardRole.MEMBER, None),
        "business2": ("Jonas Handel", Sector.BUSINESS, BoardRole.MEMBER, None),
        "business3": ("Eva Turism", Sector.BUSINESS, BoardRole.MEMBER, None),
        "civil_sub": ("Nils Ersättare", Sector.CIVIL_SOCIETY, BoardRole.SUBSTITUTE, None),
        "public_sub": ("Anna Ersättare", Sector.PUBLIC, BoardRole.SUBSTITUTE, None),
        "business_sub": ("Bo Ersättare", Sector.BUSINESS, BoardRole.SUBSTITUTE, None),
    }
    board = {}
    for key, (name, sector, role, login) in seats.items():
        member = BoardMember(
            area_id=setup.area.id, full_name=name, sector=sector, role=role,
            represents="", term_start=date(2025, 1, 1), term_end=None,
            user_id=setup.users[login].id if login else None,
        )  # fmt: skip
        db.add(member)
        board[key] = member
    db.flush()
    return board
