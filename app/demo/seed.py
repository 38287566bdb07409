"""The demo Leader area. Loading is idempotent: an existing demo area is left as it is.

Figures follow seed 001 (Leader Södermanland, verksamhetsplan 2026): three action areas, three
umbrella projects with småstöd, a LAG from all three sectors, and commitments that put uptake
at 60 % against the 75 % target. All amounts go through the ledger service, so the demo obeys
the same budget rules as real use.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applications.models import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    CostLine,
    FinancingKind,
    FinancingLine,
    InformationRequest,
)
from app.applications.service import allocate_reference
from app.areas.models import ActionArea, Area, BasicCondition, ProgrammePeriod, SelectionCriterion
from app.audit.models import AuditEvent
from app.audit.service import Actor
from app.auth.models import Role, User, UserRole
from app.auth.service import actor_for, hash_password
from app.board.models import BoardMember, BoardRole, Sector
from app.core.identifiers import luhn_valid
from app.dashboard.models import ActivityProgress, OperationActivity, OperationGoal
from app.ledger.models import LedgerKind
from app.ledger.service import record_entry
from app.meetings import service as meetings
from app.meetings.models import Meeting, MeetingStatus
from app.organisations.models import LegalForm, Organisation
from app.umbrellas.models import DecisionBody, UmbrellaProject

AREA_CODE = "sodermanland"
KR = 100  # öre per krona: demo figures are written in kronor for readability


@dataclass(frozen=True)
class DemoLogin:
    role: Role
    email: str
    full_name: str


DEMO_LOGINS = (
    DemoLogin(Role.HANDLER, "handlaggare@demo.bygdestod.se", "Karin Lindqvist"),
    DemoLogin(Role.MANAGER, "verksamhetsledare@demo.bygdestod.se", "Erik Johansson"),
    DemoLogin(Role.LAG_CHAIR, "ordforande@demo.bygdestod.se", "Maria Berg"),
    DemoLogin(Role.LAG_MEMBER, "ledamot@demo.bygdestod.se", "Johan Ek"),
    DemoLogin(Role.ADMIN, "admin@demo.bygdestod.se", "Sara Nilsson"),
)
# Administrators log in with a second factor: the demo administrator's TOTP secret is known, so
# that `python -m app logins` can print it (and `python -m app demo-code` its current code). The
# demo administrator may also create Leader areas (a deployment administrator).
DEMO_TOTP_SECRET = "DEMOADMINBYGDESTODTVASTEGSKOD234"


def _at(day: str) -> datetime:
    """09:00 Swedish time on ``day``: deadlines and decisions are local dates."""
    return datetime.fromisoformat(day).replace(hour=9, tzinfo=ZoneInfo("Europe/Stockholm"))


def _with_check_digit(digits: str) -> str:
    """Append the Luhn check digit (demo numbers are made up, but valid)."""
    return next(digits + d for d in "0123456789" if luhn_valid(digits + d))


def load_demo(session: Session, password: str) -> bool:
    """Create the demo area unless it exists. Returns True when something was created."""
    if session.scalar(select(Area).where(Area.code == AREA_CODE)) is not None:
        return False
    actor = Actor(label="Demodata")
    area = Area(code=AREA_CODE, name="Leader Södermanland")
    session.add(area)
    session.flush()

    users = _users(session, area, password)
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
    session.add(period)
    session.flush()
    nar, inn, bol = (
        ActionArea(
            area_id=area.id, period_id=period.id, code=code, name=name, budget_frame_ore=frame * KR
        )
        for code, name, frame in (
            ("1", "Ett hållbart näringsliv", 16_000_000),
            ("2", "Innovativa lösningar", 10_000_000),
            ("3", "Bo & Leva", 16_000_000),
        )
    )
    session.add_all([nar, inn, bol])
    _criteria(session, area, period)
    _basic_conditions(session, area, period)
    _board(session, area, users)
    session.flush()

    record_entry(
        session,
        actor,
        period=period,
        kind=LedgerKind.ALLOCATION,
        amount_ore=42_000_000 * KR,
        reason="Tilldelade projektmedel 2023–2027",
        recorded_at=_at("2023-03-01"),
    )
    orgs = _organisations(session, area)
    _leader_projects(session, actor, area, period, {"1": nar, "2": inn, "3": bol}, orgs, users)
    _next_meeting(session, area, users)
    _operation_plan(session, area)
    return True


# Verksamhetsplan 2026 (seed 001): goals with their activities, counted where the plan counts.
PLAN_2026 = (
    ("Upparbeta 75 % av de tilldelade projektmedlen för programperioden 2023–2027", (
        ("Idéverkstäder för bygder och platser som är intresserade", None, "idéverkstäder", 4),
        ("Lansera paraplyprojekten Bo och leva och Ett hållbart näringsliv", 2, "paraplyprojekt", 1),
    )),
    ("Fortsätta arbetet mot en bättre beredskap inom verksamhetsområdet", (
        ("Genomföra workshops i områdets kommuner", 17, "workshops", 11),
        ("En stor Beredskapsträff", 1, "träff", 0),
    )),
    ("Arbeta för en integrerad och kontinuerlig marknadsföring", (
        ("Kontorets workshops i marknadsföring", None, "workshops", 2),
    )),
)  # fmt: skip


def _operation_plan(session: Session, area: Area) -> None:
    for position, (title, activities) in enumerate(PLAN_2026, 1):
        goal = OperationGoal(area_id=area.id, year=2026, position=position, title=title)
        session.add(goal)
        for number, (name, target_count, unit, done) in enumerate(activities, 1):
            activity = OperationActivity(goal=goal, position=number, title=name,
                                         target_count=target_count, unit=unit)  # fmt: skip
            session.add(activity)
            if done:
                session.add(ActivityProgress(activity=activity, count=done,
                                             done_on=date(2026, 10, 31), note="Hittills i år",
                                             recorded_by_name="Leaderkontoret"))  # fmt: skip


def _next_meeting(session: Session, area: Area, users: dict[Role, User]) -> None:
    """The board's next meeting, planned by the office, with the case that is ready for it."""
    office = actor_for(users[Role.HANDLER])
    meeting = Meeting(
        area_id=area.id, held_on=date(2026, 12, 10), starts_at="18:00",
        place="Bygdegården i Forssjö och via länk", secretary_name=office.label,
        status=MeetingStatus.PLANNED,
    )  # fmt: skip
    session.add(meeting)
    session.flush()
    ready = session.scalars(
        select(Application).where(
            Application.area_id == area.id,
            Application.status == ApplicationStatus.READY_FOR_DECISION,
        )
    )
    for application in ready:
        meetings.add_application(session, office, meeting, application, frozenset({"handler"}))


def _users(session: Session, area: Area, password: str) -> dict[Role, User]:
    password_hash = hash_password(password)
    users = {}
    for login in DEMO_LOGINS:
        user = User(
            area_id=area.id,
            email=login.email,
            full_name=login.full_name,
            password_hash=password_hash,
            role_links=[UserRole(role=login.role)],
        )
        session.add(user)
        users[login.role] = user
    admin = users[Role.ADMIN]
    admin.is_deployment_admin = True
    admin.totp_secret = DEMO_TOTP_SECRET
    admin.totp_enabled_at = _at("2026-01-05")
    session.flush()
    return users


def _criteria(session: Session, area: Area, period: ProgrammePeriod) -> None:
    # Weights sum to 100 and every criterion is scored 0–10: at most 1 000 points, pass at 650.
    for position, (name, description, weight) in enumerate(
        (
            (
                "Bidrar till strategins mål",
                "Hur väl projektet bidrar till målen i insatsområdet.",
                25,
            ),
            (
                "Lokal förankring och samverkan",
                "Delaktighet från bygden och samarbeten mellan aktörer.",
                20,
            ),
            ("Hållbar utveckling", "Social, ekonomisk och ekologisk hållbarhet.", 15),
            (
                "Jämställdhet och inkludering",
                "Hur projektet främjar lika möjligheter för alla.",
                15,
            ),
            ("Innovation", "Nya lösningar, arbetssätt eller samarbeten för området.", 15),
            ("Varaktighet", "Hur resultaten lever vidare när projektet är slut.", 10),
        ),
        start=1,
    ):
        session.add(
            SelectionCriterion(
                area_id=area.id,
                period_id=period.id,
                position=position,
                name=name,
                description=description,
                weight=weight,
                max_points=10,
            )
        )


# The strategy's grundkrav: every Leader project must meet them all before its score counts.
BASIC_CONDITIONS = (
    ("strategy", "Projektet bidrar till målen i områdets strategi"),
    ("leader_method", "Projektet följer Leadermetoden (lokalt, underifrån, samverkan)"),
    ("area", "Projektet genomförs i och gynnar Leaderområdet"),
)


def _basic_conditions(session: Session, area: Area, period: ProgrammePeriod) -> None:
    session.add_all(
        BasicCondition(area_id=area.id, period=period, key=key, position=position, text=text)
        for position, (key, text) in enumerate(BASIC_CONDITIONS, 1)
    )


def _board(session: Session, area: Area, users: dict[Role, User]) -> None:
    term = {"term_start": date(2025, 5, 1), "term_end": date(2027, 4, 30)}
    seats = (
        (
            "Maria Berg",
            "Hela Sverige ska leva Södermanland",
            Sector.CIVIL_SOCIETY,
            BoardRole.CHAIR,
            users[Role.LAG_CHAIR],
        ),
        ("Lena Holm", "Byalaget Forssjö", Sector.CIVIL_SOCIETY, BoardRole.MEMBER, None),
        ("Ahmed Rahimi", "RF-SISU Sörmland", Sector.CIVIL_SOCIETY, BoardRole.MEMBER, None),
        (
            "Johan Ek",
            "LRF Södermanland",
            Sector.BUSINESS,
            BoardRole.VICE_CHAIR,
            users[Role.LAG_MEMBER],
        ),
        ("Petra Lund", "Coompanion Sörmland", Sector.BUSINESS, BoardRole.MEMBER, None),
        ("Nils Wahlberg", "Företagarna Vingåker", Sector.BUSINESS, BoardRole.MEMBER, None),
        ("Eva Sundström", "Flens kommun", Sector.PUBLIC, BoardRole.MEMBER, None),
        ("Olof Granath", "Katrineholms kommun", Sector.PUBLIC, BoardRole.MEMBER, None),
        ("Kristina Axelsson", "Region Sörmland", Sector.PUBLIC, BoardRole.MEMBER, None),
        (
            "Hanna Björk",
            "Studiefrämjandet Sörmland",
            Sector.CIVIL_SOCIETY,
            BoardRole.SUBSTITUTE,
            None,
        ),
        ("Mats Ohlsson", "Gnesta Handel", Sector.BUSINESS, BoardRole.SUBSTITUTE, None),
        ("Jenny Falk", "Vingåkers kommun", Sector.PUBLIC, BoardRole.SUBSTITUTE, None),
    )
    for name, represents, sector, role, user in seats:
        session.add(
            BoardMember(
                area_id=area.id,
                user_id=user.id if user else None,
                full_name=name,
                represents=represents,
                sector=sector,
                role=role,
                **term,
            )
        )


ORGANISATIONS = (
    # name, the organisationsnummer's first nine digits, legal form
    ("Leader Södermanland ideell förening", "802471360", LegalForm.NON_PROFIT_ASSOCIATION),
    ("Sparreholms byaförening", "802503118", LegalForm.NON_PROFIT_ASSOCIATION),
    ("Bettna hembygdsförening", "817604552", LegalForm.NON_PROFIT_ASSOCIATION),
    ("Björkviks IF", "817600220", LegalForm.NON_PROFIT_ASSOCIATION),
    ("Forssjö bygdegårdsförening", "802010654", LegalForm.NON_PROFIT_ASSOCIATION),
    ("Ökna lanthandel ekonomisk förening", "769615437", LegalForm.ECONOMIC_ASSOCIATION),
    ("Sörmlands Smak AB", "559102847", LegalForm.LIMITED_COMPANY),
    ("Vingåkers kommun", "212000045", LegalForm.MUNICIPALITY),
    ("Stjärnhovs fiberförening", "769627913", LegalForm.ECONOMIC_ASSOCIATION),
    ("Julita scoutkår", "802438890", LegalForm.NON_PROFIT_ASSOCIATION),
    ("Hälleforsnäs bruksförening", "802461217", LegalForm.NON_PROFIT_ASSOCIATION),
    ("Stiftelsen Kjesäters folkhögskola", "818000711", LegalForm.FOUNDATION),
)


def _organisations(session: Session, area: Area) -> list[Organisation]:
    orgs = []
    for index, (name, nine, form) in enumerate(ORGANISATIONS):
        orgs.append(
            Organisation(
                area_id=area.id,
                name=name,
                org_number=_with_check_digit(nine),
                legal_form=form,
                bankgiro=_with_check_digit(f"{5051000 + index * 7:07d}"),
                street_address=f"Byvägen {index + 1}",
                postal_code=f"642 {30 + index}",
                city="Flen",
                contact_name="Kontaktperson",
                contact_email=f"kontakt{index + 1}@exempel.se",
                contact_phone="070-000 00 00",
            )
        )
    session.add_all(orgs)
    session.flush()
    return orgs


@dataclass(frozen=True)
class DemoCase:
    """One demo application: who applies for what, how far it has come, and its money."""

    kind: ApplicationKind
    title: str
    org: int  # index into ORGANISATIONS
    action_area: str  # action area code
    requested_kr: int
    status: ApplicationStatus
    submitted: str | None
    committed_kr: int = 0  # beviljat (or reserved, for a prioritised Leader project)
    paid_kr: int = 0
    umbrella: str | None = None
    funds: str | None = None  # the umbrella project whose pot this Leader project funds


UMBRELLAS = (
    # name, action area, pot, min, max, volunteer %, months, opens, closes, description
    (
        "Beredskap",
        "3",
        1_500_000,
        10_000,
        50_000,
        50,
        6,
        "2025-02-01",
        "2027-06-30",
        "Småstöd till lokala föreningar som stärker bygdens beredskap: reservkraft, "
        "samlingsplatser, övningar och information till boende.",
    ),
    (
        "Bo och leva",
        "3",
        1_000_000,
        10_000,
        40_000,
        50,
        6,
        "2026-09-01",
        "2027-03-31",
        "Småstöd för mötesplatser, service och aktiviteter som gör bygden attraktiv att bo och "
        "leva i.",
    ),
    (
        "Ett hållbart näringsliv",
        "1",
        1_000_000,
        20_000,
        50_000,
        50,
        6,
        "2027-01-15",
        "2027-09-30",
        "Småstöd för gemensamma insatser som stärker det lokala näringslivet, t.ex. "
        "förstudier, nätverk och lokal besöksnäring.",
    ),
)

L, S = ApplicationKind.LEADER_PROJECT, ApplicationKind.SMALL_GRANT
St = ApplicationStatus
# fmt: off
CASES = (
    # The umbrella projects are Leader projects themselves: their pots are committed here.
    DemoCase(L, "Paraplyprojekt Beredskap", 0, "3", 1_500_000, St.PAYMENT, "2024-09-02", 1_500_000, 600_000, funds="Beredskap"),
    DemoCase(L, "Paraplyprojekt Bo och leva", 0, "3", 1_000_000, St.APPROVED, "2025-11-03", 1_000_000, funds="Bo och leva"),
    DemoCase(L, "Paraplyprojekt Ett hållbart näringsliv", 0, "1", 1_000_000, St.APPROVED, "2025-11-03", 1_000_000, funds="Ett hållbart näringsliv"),
    DemoCase(L, "Sörmländsk mat i lokala kök", 6, "1", 3_200_000, St.PAYMENT, "2023-10-16", 3_200_000, 1_900_000),
    DemoCase(L, "Besöksnäring längs Sörmlandsleden", 5, "1", 2_800_000, St.PAYMENT, "2024-02-12", 2_800_000, 1_200_000),
    DemoCase(L, "Gröna jobb i Vingåker", 7, "1", 2_450_000, St.APPROVED, "2024-11-18", 2_450_000),
    DemoCase(L, "Landsbygdens företagarnätverk", 11, "1", 1_950_000, St.FINAL_REPORT, "2023-06-05", 1_950_000, 1_950_000),
    DemoCase(L, "Digital bygdeservice", 8, "2", 3_100_000, St.PAYMENT, "2024-04-22", 3_100_000, 900_000),
    DemoCase(L, "Smarta byar i Flen", 7, "2", 2_600_000, St.APPROVED, "2025-03-10", 2_600_000),
    DemoCase(L, "Delningsekonomi på landsbygden", 11, "2", 1_800_000, St.PRIORITISED, "2026-06-01", 1_800_000),
    DemoCase(L, "Mötesplats Hälleforsnäs", 10, "3", 2_900_000, St.PAYMENT, "2024-05-20", 2_900_000, 1_100_000),
    DemoCase(L, "Ungas inflytande i bygden", 9, "3", 2_700_000, St.APPROVED, "2025-09-15", 2_700_000),
    DemoCase(L, "Fiber till sista gården", 8, "2", 2_200_000, St.READY_FOR_DECISION, "2026-09-28"),
    DemoCase(L, "Lokal livsmedelshubb", 5, "1", 1_500_000, St.IN_REVIEW, "2026-10-19"),
    DemoCase(L, "Kulturarv i Bettna", 2, "3", 950_000, St.SUBMITTED, "2026-11-16"),
    DemoCase(L, "Eventarena Björkvik", 3, "3", 2_400_000, St.REJECTED, "2025-05-12"),
    DemoCase(S, "Reservkraft till bygdegården", 4, "3", 48_000, St.PAYMENT, "2025-03-10", 48_000, 24_000, "Beredskap"),
    DemoCase(S, "Krisberedskapsdag i Sparreholm", 1, "3", 25_000, St.CLOSED, "2025-04-07", 25_000, 25_000, "Beredskap"),
    DemoCase(S, "Trygghetsvandringar i Julita", 9, "3", 18_500, St.APPROVED, "2025-09-01", 18_500, 0, "Beredskap"),
    DemoCase(S, "Nödvattenstation Forssjö", 4, "3", 42_000, St.APPROVED, "2026-02-16", 42_000, 0, "Beredskap"),
    DemoCase(S, "Samlingsplats vid kris, Björkvik", 3, "3", 50_000, St.APPROVED, "2026-04-20", 50_000, 0, "Beredskap"),
    DemoCase(S, "Beredskapsutbildning för föreningar", 2, "3", 30_000, St.SUBMITTED, "2026-11-10", umbrella="Beredskap"),
    DemoCase(S, "Radiokommunikation vid avbrott", 10, "3", 35_000, St.AWAITING_INFORMATION, "2026-10-26", umbrella="Beredskap"),
    DemoCase(S, "Vedeldad värmestuga", 1, "3", 60_000, St.REJECTED, "2025-10-06", umbrella="Beredskap"),
    DemoCase(S, "Boulebana vid bygdegården", 4, "3", 28_000, St.IN_REVIEW, "2026-10-05", umbrella="Bo och leva"),
    DemoCase(S, "Lördagscafé i Ökna", 5, "3", 15_000, St.SUBMITTED, "2026-11-18", umbrella="Bo och leva"),
    DemoCase(S, "Sommarscen i Stjärnhov", 8, "3", 40_000, St.DRAFT, None, umbrella="Bo och leva"),
)
# fmt: on


def _leader_projects(
    session: Session,
    actor: Actor,
    area: Area,
    period: ProgrammePeriod,
    action_areas: dict[str, ActionArea],
    orgs: list[Organisation],
    users: dict[Role, User],
) -> None:
    umbrellas = {}
    for name, code, pot, low, high, match, months, opens, closes, text in UMBRELLAS:
        umbrellas[name] = UmbrellaProject(
            area_id=area.id,
            action_area_id=action_areas[code].id,
            name=name,
            description=text,
            pot_ore=pot * KR,
            min_grant_ore=low * KR,
            max_grant_ore=high * KR,
            volunteer_match_percent=match,
            max_project_months=months,
            call_opens_at=_at(opens),
            call_closes_at=_at(closes).replace(hour=0) + timedelta(days=1),
            eligible_legal_forms=[
                LegalForm.NON_PROFIT_ASSOCIATION.value,
                LegalForm.ECONOMIC_ASSOCIATION.value,
            ],
            required_attachments=["Budget", "Styrelsebeslut", "Offerter"],
            decision_body=DecisionBody.OFFICE,
            delegation_limit_ore=30_000 * KR,
        )
    session.add_all(umbrellas.values())
    session.flush()

    handler = users[Role.HANDLER]
    # Numbered in order of receipt, as a registry (diarium) would.
    for case in sorted(CASES, key=lambda c: c.submitted or "9999"):
        org = orgs[case.org]
        umbrella = umbrellas[case.umbrella] if case.umbrella else None
        submitted = _at(case.submitted) if case.submitted else None
        decided = case.status in (St.APPROVED, St.PAYMENT, St.FINAL_REPORT, St.CLOSED, St.REJECTED)
        application = Application(
            area_id=area.id,
            kind=case.kind,
            title=case.title,
            description=f"{case.title}: ett projekt av {org.name}.",
            expected_results="Fler mötesplatser, nya samarbeten och ökad lokal aktivitet.",
            action_area_id=action_areas[case.action_area].id,
            umbrella_project_id=umbrella.id if umbrella else None,
            organisation_id=org.id,
            applicant_name=org.name,
            bankgiro=org.bankgiro,
            contact_name=org.contact_name,
            contact_email=org.contact_email,
            contact_phone=org.contact_phone,
            requested_ore=case.requested_kr * KR,
            granted_ore=case.committed_kr * KR if decided and case.committed_kr else None,
            status=case.status,
            status_changed_at=submitted or _at("2026-11-20"),
            assigned_handler_id=handler.id if submitted else None,
            created_at=submitted or _at("2026-11-20"),
            submitted_at=submitted,
            decided_at=submitted + timedelta(days=45) if submitted and decided else None,
            reference=allocate_reference(session, area.id, case.kind, submitted.year)
            if submitted
            else None,
        )
        if case.kind is S:
            _small_grant_budget(application, case.requested_kr, period)
        session.add(application)
        session.flush()
        if submitted:
            _received(session, application, submitted)
        if case.status is St.AWAITING_INFORMATION and submitted:
            # A case waiting for komplettering waits for a question that was asked.
            session.add(
                InformationRequest(
                    area_id=area.id,
                    application_id=application.id,
                    message="Bifoga en offert på radioutrustningen och styrelsens beslut.",
                    deadline=date(2026, 12, 4),
                    requested_by_user_id=handler.id,
                    requested_at=submitted + timedelta(days=10),
                )
            )
        if case.funds:
            umbrellas[case.funds].funding_application_id = application.id
        _money(session, actor, period, application, case)


def _received(session: Session, application: Application, submitted: datetime) -> None:
    """The case log's first line, dated when the application came in (imported history)."""
    by_applicant = application.kind is S
    session.add(
        AuditEvent(
            area_id=application.area_id,
            occurred_at=submitted,
            actor_label=application.contact_name if by_applicant else "Leaderkontoret",
            entity_type="application",
            entity_id=application.id,
            action="submit" if by_applicant else "register",
            summary="Ansökan inkom"
            if by_applicant
            else "Registrerad från Jordbruksverkets e-tjänst",
            changes={"status": ["draft", "submitted"]},
        )
    )


def _small_grant_budget(application: Application, grant_kr: int, period: ProgrammePeriod) -> None:
    """Costs = financing: the grant plus volunteer work worth at least half of it."""
    hours = -(-grant_kr // 2 // 340)  # round up, so the volunteer match is met
    volunteer_ore = hours * period.volunteer_rate_adult_ore
    application.cost_lines = [
        CostLine(
            position=1, description="Material och utrustning", amount_ore=grant_kr * KR * 3 // 4
        ),
        CostLine(
            position=2,
            description="Tjänster och hyra",
            amount_ore=grant_kr * KR - grant_kr * KR * 3 // 4,
        ),
        CostLine(position=3, description="Ideellt arbete", amount_ore=volunteer_ore),
    ]
    application.financing_lines = [
        FinancingLine(
            position=1,
            kind=FinancingKind.LEADER_SUPPORT,
            description="Småstöd",
            amount_ore=grant_kr * KR,
        ),
        FinancingLine(
            position=2,
            kind=FinancingKind.VOLUNTEER_WORK,
            description="Ideellt arbete",
            amount_ore=volunteer_ore,
            volunteer_hours=hours,
            volunteer_rate_ore=period.volunteer_rate_adult_ore,
            volunteer_women=4,
            volunteer_men=3,
        ),
    ]


def _money(
    session: Session,
    actor: Actor,
    period: ProgrammePeriod,
    application: Application,
    case: DemoCase,
) -> None:
    if not case.committed_kr:
        return
    common = {"period": period, "application": application}
    kind = LedgerKind.RESERVATION if case.status is St.PRIORITISED else LedgerKind.COMMITMENT
    decided_at = application.decided_at or application.submitted_at
    record_entry(
        session,
        actor,
        kind=kind,
        amount_ore=case.committed_kr * KR,
        reason="LAG:s prioritering" if kind is LedgerKind.RESERVATION else "Beslut om stöd",
        recorded_at=decided_at,
        **common,
    )
    if case.paid_kr:
        record_entry(
            session,
            actor,
            kind=LedgerKind.PAYMENT,
            amount_ore=case.paid_kr * KR,
            reason="Utbetalning efter ansökan om utbetalning",
            recorded_at=min(decided_at + timedelta(days=200), _at("2026-11-02")),
            **common,
        )
