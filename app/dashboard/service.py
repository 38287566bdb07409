"""The manager's dashboard: uptake against the target, the pipeline and forecast, warnings and
the result indicators. Every figure is an SQL aggregate (no loop over rows in Python), so the
page costs the same few queries whatever the number of applications.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.applications.models import Application, ApplicationStatus
from app.areas.models import ActionArea, ProgrammePeriod
from app.audit import service as audit
from app.audit.service import Actor
from app.core.formatting import one_decimal
from app.core.forms import FormResult, iso_date, optional_text, validate_form, whole_number
from app.core.i18n import N_
from app.core.i18n import gettext as _
from app.dashboard.models import ActivityProgress, OperationActivity, OperationGoal
from app.db import utcnow
from app.ledger import service as ledger
from app.ledger.models import LedgerKind, LedgerTotal
from app.reports.models import FinalReport

# Received but not yet decided: what may still become commitments.
PIPELINE = (
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.IN_REVIEW,
    ApplicationStatus.AWAITING_INFORMATION,
    ApplicationStatus.READY_FOR_DECISION,
    ApplicationStatus.ON_AGENDA,
)
# A frame or pot this full is worth a warning.
WARN_AT_PERCENT = 90

# Marked with N_ and translated where shown; the API and the PDF give them in Swedish.
UPTAKE_DEFINITION = N_(
    "Upparbetning = beviljade medel (beslutade stöd, minus frigjorda belopp) delat med "
    "periodens tilldelade projektmedel. Reserverade belopp (prioriterade av LAG, i väntan på "
    "myndighetsbeslut) räknas inte in; siffran med reservationer visas bredvid."
)
FORECAST_DEFINITION = N_(
    "Prognos = beviljat + reserverat (prioriterat av LAG) + inkomna, ännu inte beslutade "
    "Leaderprojekt × områdets historiska beviljandegrad (beviljade belopp delat med sökta belopp "
    "i beslutade Leaderprojekt). Småstöd räknas inte: de betalas ur pottar som redan är beviljade "
    "som paraplyprojekt."
)


def percent(part: int, whole: int) -> Decimal:
    """``part`` of ``whole`` in percent, one decimal, rounded half up; 0 when there is no whole."""
    if whole <= 0:
        return Decimal(0)
    return (Decimal(part) * 100 / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Target:
    percent: int
    by: date
    amount_ore: int  # what must be committed to reach it
    expected_today_ore: int  # where a straight line from the period's start says we should be
    per_month_ore: int  # what must still be committed per month until the target date
    months_left: int

    def verdict(self, committed_ore: int) -> str:
        if committed_ore >= self.amount_ore:
            return "reached"
        if self.months_left == 0:
            return "missed"
        return "on_track" if committed_ore >= self.expected_today_ore else "at_risk"


VERDICT_LABELS = {
    "reached": N_("Målet är nått"),
    "on_track": N_("I fas"),
    "at_risk": N_("Risk att målet inte nås"),
    "missed": N_("Måldatumet har passerat utan att målet nåddes"),
}


def _months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end``, counting a begun month (at least 0)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    return max(0, months + (1 if end.day > start.day else 0))


def target(period: ProgrammePeriod, allocated_ore: int, committed_ore: int, today: date) -> Target:
    goal = allocated_ore * period.uptake_target_percent // 100
    span = (period.uptake_target_date - period.starts_on).days
    elapsed = min(max((today - period.starts_on).days, 0), span)
    expected = goal * elapsed // span if span > 0 else goal
    months_left = _months_between(today, period.uptake_target_date)
    missing = max(goal - committed_ore, 0)
    per_month = -(-missing // months_left) if months_left else missing
    return Target(period.uptake_target_percent, period.uptake_target_date, goal, expected,
                  per_month, months_left)  # fmt: skip


@dataclass(frozen=True)
class Pipeline:
    by_action_area: dict[int, int]  # action area id -> requested öre of undecided applications
    approval_rate: Fraction  # granted ÷ requested over decided applications

    @property
    def total_ore(self) -> int:
        return sum(self.by_action_area.values())

    def forecast_ore(self, committed_ore: int, reserved_ore: int) -> int:
        return committed_ore + reserved_ore + int(self.total_ore * self.approval_rate)


def pipeline(session: Session, period: ProgrammePeriod) -> Pipeline:
    # Outside the pots only: a småstöd is paid from a pot already committed to its umbrella.
    in_period = Application.action_area_id.in_(
        select(ActionArea.id).where(ActionArea.period_id == period.id)
    ) & Application.umbrella_project_id.is_(None)
    undecided = dict(
        session.execute(
            select(Application.action_area_id, func.sum(Application.requested_ore))
            .where(in_period, Application.status.in_(PIPELINE))
            .group_by(Application.action_area_id)
        ).all()
    )
    granted, requested = session.execute(
        select(
            func.coalesce(func.sum(func.coalesce(Application.granted_ore, 0)), 0),
            func.coalesce(func.sum(Application.requested_ore), 0),
        ).where(in_period, Application.decided_at.is_not(None))
    ).one()
    rate = Fraction(int(granted), int(requested)) if int(requested) else Fraction(0)
    return Pipeline({k: int(v) for k, v in undecided.items()}, rate)


@dataclass(frozen=True)
class MonthPoint:
    month: str  # "2026-03"
    committed_ore: int  # cumulative at the month's end
    paid_ore: int


def burn_up(session: Session, period: ProgrammePeriod) -> list[MonthPoint]:
    """Committed and paid, cumulative by month (UTC months), from the running ledger totals
    outside the pots (a pot's grants are inside its umbrella project's commitment)."""
    committed = func.sum(
        case(
            (LedgerTotal.kind == LedgerKind.COMMITMENT.value, LedgerTotal.amount_ore),
            (
                (LedgerTotal.kind == LedgerKind.RELEASE.value)
                & (LedgerTotal.released_kind == LedgerKind.COMMITMENT.value),
                -LedgerTotal.amount_ore,
            ),
            else_=0,
        )
    )
    paid = func.sum(
        case((LedgerTotal.kind == LedgerKind.PAYMENT.value, LedgerTotal.amount_ore), else_=0)
    )
    rows = session.execute(
        select(LedgerTotal.month, committed, paid)
        .where(
            LedgerTotal.period_id == period.id,
            LedgerTotal.umbrella_project_id == 0,
            LedgerTotal.kind.in_(
                (LedgerKind.COMMITMENT.value, LedgerKind.RELEASE.value, LedgerKind.PAYMENT.value)
            ),
        )
        .group_by(LedgerTotal.month)
        .order_by(LedgerTotal.month)
    ).all()
    points, running_committed, running_paid = [], 0, 0
    for month, month_committed, month_paid in rows:
        running_committed += int(month_committed or 0)
        running_paid += int(month_paid or 0)
        points.append(MonthPoint(month, running_committed, running_paid))
    return points


@dataclass(frozen=True)
class Warning:
    """A warning, put into words when it is shown: in the interface language on the page, in
    Swedish in the PDF."""

    message: str  # marked with N_
    name: str = ""
    share: Decimal = Decimal(0)

    @property
    def text(self) -> str:
        return _(self.message).format(name=self.name, share=one_decimal(self.share))


AREA_NEARLY_USED = N_("Insatsområdet {name} har använt {share} % av sin budget.")
POT_NEARLY_USED = N_("Potten {name} har använt {share} % av sin budget.")
UNPAID_NEAR_END = N_(
    "Programperioden slutar inom ett år och beviljade medel är ännu inte utbetalda; "
    "följ upp att projekten begär utbetalning i tid."
)


def warnings(
    overview: ledger.BudgetOverview, period: ProgrammePeriod, unpaid_near_end_ore: int,
    today: date,
) -> list[Warning]:  # fmt: skip
    found = []
    for message, lines in (
        (AREA_NEARLY_USED, overview.action_areas),
        (POT_NEARLY_USED, overview.pots),
    ):
        for line in lines:
            used = line.balance.reserved_ore + line.balance.committed_ore
            if line.balance.limit_ore and used * 100 > WARN_AT_PERCENT * line.balance.limit_ore:
                found.append(Warning(message, line.name, percent(used, line.balance.limit_ore)))
    if unpaid_near_end_ore and (period.ends_on - today).days <= 365:
        found.append(Warning(UNPAID_NEAR_END))
    return found


@dataclass(frozen=True)
class Indicators:
    reports: int
    participants_women: int
    participants_men: int
    volunteer_hours: int
    new_activities: int
    jobs_created_hundredths: int
    businesses_started: int

    @property
    def jobs_fte(self) -> Decimal:
        """Jobs created, in full-time equivalents (stored exactly as hundredths)."""
        return Decimal(self.jobs_created_hundredths) / 100


def indicators(session: Session, period: ProgrammePeriod) -> dict[int, Indicators]:
    """Result indicators from final reports, summed per action area."""
    rows = session.execute(
        select(
            Application.action_area_id,
            func.count(FinalReport.id),
            *(
                func.sum(getattr(FinalReport, name))
                for name in (
                    "participants_women",
                    "participants_men",
                    "volunteer_hours",
                    "new_activities",
                    "jobs_created_hundredths",
                    "businesses_started",
                )
            ),
        )
        .join(Application, FinalReport.application_id == Application.id)
        .join(ActionArea, Application.action_area_id == ActionArea.id)
        # The area's own condition lets PostgreSQL read the area's reports by index instead of
        # every area's (4.5 -> 1.3 ms at the benchmark's 40 areas).
        .where(ActionArea.period_id == period.id, FinalReport.area_id == period.area_id)
        .group_by(Application.action_area_id)
    ).all()
    return {row[0]: Indicators(*(int(value or 0) for value in row[1:])) for row in rows}


@dataclass(frozen=True)
class Dashboard:
    overview: ledger.BudgetOverview
    released_ore: int
    target: Target
    pipeline: Pipeline
    burn_up: list[MonthPoint]
    warnings: list[Warning]
    indicators: dict[int, Indicators]

    @property
    def period(self) -> ProgrammePeriod:
        return self.overview.period

    @property
    def uptake_percent(self) -> Decimal:
        total = self.overview.total
        return percent(total.committed_ore, total.limit_ore)

    @property
    def uptake_with_reservations_percent(self) -> Decimal:
        total = self.overview.total
        return percent(total.committed_ore + total.reserved_ore, total.limit_ore)

    @property
    def verdict(self) -> str:
        return self.target.verdict(self.overview.total.committed_ore)

    @property
    def forecast_ore(self) -> int:
        total = self.overview.total
        return self.pipeline.forecast_ore(total.committed_ore, total.reserved_ore)


def released(session: Session, period: ProgrammePeriod) -> int:
    return int(
        session.scalar(
            select(func.coalesce(func.sum(LedgerTotal.amount_ore), 0)).where(
                LedgerTotal.period_id == period.id,
                LedgerTotal.umbrella_project_id == 0,
                LedgerTotal.kind == LedgerKind.RELEASE.value,
                LedgerTotal.released_kind == LedgerKind.COMMITMENT.value,
            )
        )
        or 0
    )


def dashboard(session: Session, period: ProgrammePeriod, today: date) -> Dashboard:
    overview = ledger.overview(session, period)
    total = overview.total
    return Dashboard(
        overview=overview,
        released_ore=released(session, period),
        target=target(period, total.limit_ore, total.committed_ore, today),
        pipeline=pipeline(session, period),
        burn_up=burn_up(session, period),
        warnings=warnings(overview, period, total.unpaid_ore, today),
        indicators=indicators(session, period),
    )


# --- The operation plan (verksamhetsplan) ---


@dataclass(frozen=True)
class ActivityStatus:
    activity: OperationActivity
    done: int

    @property
    def share_percent(self) -> Decimal | None:
        target_count = self.activity.target_count
        return percent(self.done, target_count) if target_count else None


@dataclass(frozen=True)
class GoalStatus:
    goal: OperationGoal
    activities: list[ActivityStatus]


def operation_plan(session: Session, area_id: int, year: int) -> list[GoalStatus]:
    """The year's goals and activities with what has been done so far (one grouped query)."""
    goals = list(
        session.scalars(
            select(OperationGoal)
            .where(OperationGoal.area_id == area_id, OperationGoal.year == year)
            .order_by(OperationGoal.position)
        )
    )
    done = dict(
        session.execute(
            select(ActivityProgress.activity_id, func.sum(ActivityProgress.count))
            .join(OperationActivity, ActivityProgress.activity_id == OperationActivity.id)
            .join(OperationGoal, OperationActivity.goal_id == OperationGoal.id)
            .where(OperationGoal.area_id == area_id, OperationGoal.year == year)
            .group_by(ActivityProgress.activity_id)
        ).all()
    )
    return [
        GoalStatus(goal, [ActivityStatus(a, int(done.get(a.id, 0))) for a in goal.activities])
        for goal in goals
    ]


def plan_year(session: Session, area_id: int, today: date) -> int:
    """This year's plan, or the latest earlier one while this year's is not yet written."""
    latest = session.scalar(
        select(func.max(OperationGoal.year)).where(
            OperationGoal.area_id == area_id, OperationGoal.year <= today.year
        )
    )
    return latest or today.year


PROGRESS_VALIDATORS = {
    "count": whole_number(10_000),
    "done_on": iso_date(N_("Ange när det gjordes.")),
    "note": optional_text(2000),
}


def register_progress(
    session: Session, actor: Actor, area_id: int, activity_id: int, raw: dict[str, str],
    *, today: date,
) -> FormResult:  # fmt: skip
    """Staff register what was done towards an activity (e.g. "2 workshops i Flen")."""
    activity = session.get(OperationActivity, activity_id)
    if activity is None or activity.goal.area_id != area_id:
        raise LookupError(activity_id)
    result = validate_form(PROGRESS_VALIDATORS, raw)
    if "count" not in result.errors and result.cleaned["count"] < 1:
        result.errors["count"] = _("Ange hur många, minst 1.")
    if "done_on" not in result.errors and result.cleaned["done_on"] > today:
        result.errors["done_on"] = _("Det kan inte vara gjort i framtiden.")
    if not result.ok:
        return result
    progress = ActivityProgress(
        activity_id=activity.id, count=result.cleaned["count"], done_on=result.cleaned["done_on"],
        note=result.cleaned["note"], recorded_by_name=actor.label, recorded_at=utcnow(),
    )  # fmt: skip
    session.add(progress)
    session.flush()
    audit.record(session, actor, area_id=area_id, entity_type="operation_activity",
                 entity_id=activity.id, action="progress",
                 summary=f"{activity.title}: {progress.count} {activity.unit} registrerade".strip(),
                 reason=progress.note or None)  # fmt: skip
    return result
