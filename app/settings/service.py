"""The area's settings, changed by its manager on the settings pages or by a settings file on the
command line (``app.settings.document``): both go through these functions.

Every change is checked field by field, refused with the reason when money or decisions already
depend on the figure, and audited with old → new and the reason given. The refusals:

- an action area's frame never drops below what is reserved and committed in it, nor the
  allocation below what is reserved and committed in the period; the allocation is changed by a
  new ledger entry, never by editing one. Both checks run under the ledger's per-period lock, so
  a decision taken at the same moment cannot slip past them;
- once applications have been scored, the scale they were scored on stays: no criterion is
  added or removed and no weight or maximum changes in that period, and the threshold of an
  action area with scored applications stays, so competing applications meet the same bar;
- the quorum and balance rule and the basic conditions do not change while a LAG meeting is
  open or waiting for its minutes to be adjusted;
- an action area with applications, umbrella projects or ledger entries is not removed, and a
  basic condition is never removed (it is made inactive), so earlier answers keep their meaning.
"""

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from app.applications.models import Application
from app.areas.models import ActionArea, Area, BasicCondition, ProgrammePeriod, SelectionCriterion
from app.audit import service as audit
from app.audit.service import Actor
from app.casework.models import ScoreProposal
from app.casework.service import threshold_for
from app.core.formatting import long_date
from app.core.forms import FormResult, validate_form
from app.core.i18n import DEFAULT_LANGUAGE, FORMAT_LOCALES, N_
from app.core.i18n import gettext as _
from app.core.money import format_kronor_input, format_money
from app.ledger import service as ledger
from app.ledger.models import LedgerEntry, LedgerKind
from app.meetings.models import AgendaItem, ItemScore, Meeting, MeetingStatus
from app.settings import schemas
from app.umbrellas.models import UmbrellaProject

# The key of a refusal that concerns the whole form rather than one field.
FORM = "form"

SCALE_LOCKED = N_(
    "Poängskalan är låst: ansökningar har redan poängsatts under programperioden, så kriterier "
    "kan inte läggas till eller tas bort och vikt och högsta poäng kan inte ändras."
)


class SettingsRefused(Exception):
    """A change that cannot be made; ``message`` says why, in the interface language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _plain(value: Any) -> Any:
    """A JSON-friendly value for the audit log."""
    return value.isoformat() if isinstance(value, date) else value


def _assign(record: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Set ``values`` on ``record``; what changed, as {attribute: [old, new]}."""
    changes = {
        name: [_plain(getattr(record, name)), _plain(value)]
        for name, value in values.items()
        if getattr(record, name) != value
    }
    for name in changes:
        setattr(record, name, values[name])
    return changes


def _record(
    session: Session, actor: Actor, record: Any, entity_type: str, action: str, summary: str,
    changes: dict[str, list[Any]] | None = None, reason: str | None = None,
) -> None:  # fmt: skip
    audit.record(
        session, actor, area_id=record.id if isinstance(record, Area) else record.area_id,
        entity_type=entity_type, entity_id=record.id, action=action, summary=summary,
        changes=changes or None, reason=reason or None,
    )  # fmt: skip


def _swedish_money(ore: int) -> str:
    """Amounts in the audit log, which is a record written in Swedish."""
    return format_money(ore, FORMAT_LOCALES[DEFAULT_LANGUAGE])


# --- What the refusals look at ---


def meeting_in_progress(session: Session, area_id: int) -> Meeting | None:
    """A LAG meeting that is open or whose minutes are not yet adjusted: its decisions were
    taken under the rules as they are."""
    return session.scalar(
        select(Meeting)
        .where(
            Meeting.area_id == area_id,
            Meeting.status.in_((MeetingStatus.OPEN, MeetingStatus.CLOSED)),
        )
        .order_by(Meeting.held_on)
        .limit(1)
    )


def scored_action_area_ids(session: Session, period: ProgrammePeriod) -> set[int]:
    """The action areas of the period with an application that has been scored, by the handler
    or by the board."""
    by_handler = (
        select(Application.action_area_id)
        .join(ScoreProposal, ScoreProposal.application_id == Application.id)
        .join(SelectionCriterion, SelectionCriterion.id == ScoreProposal.criterion_id)
        .where(SelectionCriterion.period_id == period.id)
    )
    by_board = (
        select(Application.action_area_id)
        .join(AgendaItem, AgendaItem.application_id == Application.id)
        .join(ItemScore, ItemScore.item_id == AgendaItem.id)
        .join(SelectionCriterion, SelectionCriterion.id == ItemScore.criterion_id)
        .where(SelectionCriterion.period_id == period.id)
    )
    return set(session.scalars(by_handler.union(by_board)))


def _rules_locked(session: Session, area_id: int, message: str) -> str | None:
    """``message`` (with {date}) when a meeting in progress locks the board's rules."""
    meeting = meeting_in_progress(session, area_id)
    return message.format(date=long_date(meeting.held_on)) if meeting else None


# --- The area's rules ---

AREA_SETTINGS = ("decision_within_days", "retention_months", "quorum_percent",
                 "balance_limit_percent")  # fmt: skip
BOARD_RULES = ("quorum_percent", "balance_limit_percent")


def area_values(area: Area) -> dict[str, str]:
    return {name: str(getattr(area, name)) for name in AREA_SETTINGS}


def save_area(session: Session, actor: Actor, area: Area, raw: dict[str, str]) -> FormResult:
    result = validate_form(schemas.AREA_VALIDATORS, raw)
    if not result.ok:
        return result
    values = {name: result.cleaned[name] for name in AREA_SETTINGS}
    if changed_rules := [name for name in BOARD_RULES if values[name] != getattr(area, name)]:
        locked = _rules_locked(session, area.id, _(
            "Beslutsreglerna kan inte ändras medan LAG-mötet {date} pågår eller väntar på "
            "justering."
        ))  # fmt: skip
        if locked:
            result.errors.update(dict.fromkeys(changed_rules, locked))
            return result
    if changes := _assign(area, values):
        _record(session, actor, area, "area", "settings_changed",
                "Ändrade områdets inställningar", changes, result.cleaned["reason"])  # fmt: skip
    return result


# --- The programme period's figures ---

# Form field -> the period's attribute.
PERIOD_SETTINGS = {
    "uptake_target_percent": "uptake_target_percent",
    "uptake_target_date": "uptake_target_date",
    "pass_threshold_points": "pass_threshold_points",
    "volunteer_rate_adult_kr": "volunteer_rate_adult_ore",
    "volunteer_rate_youth_kr": "volunteer_rate_youth_ore",
    "advance_cap_percent": "advance_cap_percent",
    "advance_cap_kr": "advance_cap_ore",
}


def period_values(period: ProgrammePeriod) -> dict[str, str]:
    values = {}
    for field, attribute in PERIOD_SETTINGS.items():
        value = getattr(period, attribute)
        values[field] = (
            format_kronor_input(value) if field.endswith("_kr")
            else value.isoformat() if isinstance(value, date) else str(value)
        )  # fmt: skip
    return values


def _check_target_date(result: FormResult, starts_on: date, ends_on: date) -> None:
    target = result.cleaned.get("uptake_target_date")
    if target is not None and not starts_on <= target <= ends_on:
        result.errors["uptake_target_date"] = _(
            "Datumet måste ligga inom programperioden ({start}–{end})."
        ).format(start=starts_on.isoformat(), end=ends_on.isoformat())


def save_period(
    session: Session, actor: Actor, period: ProgrammePeriod, raw: dict[str, str]
) -> FormResult:
    result = validate_form(schemas.PERIOD_VALIDATORS, raw)
    _check_target_date(result, period.starts_on, period.ends_on)
    threshold = result.cleaned.get("pass_threshold_points")
    if threshold is not None and threshold != period.pass_threshold_points:
        scored = scored_action_area_ids(session, period)
        using = [a.name for a in period.action_areas
                 if a.pass_threshold_points is None and a.id in scored]  # fmt: skip
        if using:
            result.errors["pass_threshold_points"] = _(
                "Poänggränsen kan inte ändras: ansökningar i {names} har redan poängsatts mot den."
            ).format(names=", ".join(using))
    if not result.ok:
        return result
    values = {attribute: result.cleaned[field] for field, attribute in PERIOD_SETTINGS.items()}
    if changes := _assign(period, values):
        _record(session, actor, period, "programme_period", "settings_changed",
                f"Ändrade inställningarna för programperioden {period.name}", changes,
                result.cleaned["reason"])  # fmt: skip
    return result


def create_period(
    session: Session, actor: Actor, area: Area, raw: dict[str, str]
) -> tuple[ProgrammePeriod | None, FormResult]:
    """A new programme period with its figures (from a settings file); its allocation is
    recorded afterwards with ``change_allocation``."""
    result = validate_form(schemas.NEW_PERIOD_VALIDATORS, raw)
    starts_on, ends_on = result.cleaned.get("starts_on"), result.cleaned.get("ends_on")
    if starts_on and ends_on and ends_on <= starts_on:
        result.errors["ends_on"] = _("Programperioden måste sluta efter att den börjar.")
    elif starts_on and ends_on:
        _check_target_date(result, starts_on, ends_on)
    if not result.ok:
        return None, result
    values = {attribute: result.cleaned[field] for field, attribute in PERIOD_SETTINGS.items()}
    period = ProgrammePeriod(area_id=area.id, name=result.cleaned["name"], starts_on=starts_on,
                             ends_on=ends_on, **values)  # fmt: skip
    session.add(period)
    session.flush()
    _record(session, actor, period, "programme_period", "created",
            f"Lade till programperioden {period.name}",
            {key: [None, _plain(value)] for key, value in values.items()},
            result.cleaned["reason"])  # fmt: skip
    return period, result


# --- The allocation ---


def allocation_values(session: Session, period: ProgrammePeriod) -> dict[str, str]:
    return {"allocation_kr": format_kronor_input(ledger.period_balance(session, period).limit_ore)}


def change_allocation(
    session: Session, actor: Actor, period: ProgrammePeriod, raw: dict[str, str]
) -> FormResult:
    """Set the period's allocation (tilldelade projektmedel) to a new total by recording the
    difference in the ledger: an allocation entry up, an adjustment entry down."""
    result = validate_form(schemas.ALLOCATION_VALIDATORS, raw)
    if not result.ok:
        return result
    new = result.cleaned["allocation_kr"]
    ledger.lock_period(session, period)
    balance = ledger.period_balance(session, period)
    old, used = balance.limit_ore, balance.reserved_ore + balance.committed_ore
    if new == old:
        result.errors["allocation_kr"] = _("Tilldelningen är redan {amount}.").format(
            amount=format_money(old)
        )
    elif new < used:
        result.errors["allocation_kr"] = _(
            "Tilldelningen kan inte bli lägre än det som redan är reserverat och beviljat ({used})."
        ).format(used=format_money(used))
    if not result.ok:
        return result
    reason = result.cleaned["reason"]
    kind = LedgerKind.ALLOCATION if new > old else LedgerKind.ADJUSTMENT
    ledger.record_entry(session, actor, period=period, kind=kind, amount_ore=abs(new - old),
                        reason=reason)  # fmt: skip
    _record(session, actor, period, "programme_period", "allocation_changed",
            f"Ändrade tilldelningen för programperioden {period.name} från "
            f"{_swedish_money(old)} till {_swedish_money(new)}",
            {"allocation_ore": [old, new]}, reason)  # fmt: skip
    return result


# --- Action areas ---


def action_area_values(action_area: ActionArea) -> dict[str, str]:
    threshold = action_area.pass_threshold_points
    return {
        "code": action_area.code,
        "name": action_area.name,
        "budget_frame_kr": format_kronor_input(action_area.budget_frame_ore),
        "pass_threshold_points": "" if threshold is None else str(threshold),
    }


def _check_frame(
    session: Session, action_area: ActionArea, frame_ore: int, result: FormResult
) -> None:
    """A frame may shrink to what is reserved and committed in it, no further. Under the
    period's lock: a decision waiting for it sees the new frame."""
    ledger.lock_period(session, action_area.period)
    balance = ledger.action_area_balance(session, action_area)
    used = balance.reserved_ore + balance.committed_ore
    if frame_ore < used:
        result.errors["budget_frame_kr"] = _(
            "Ramen kan inte bli lägre än det som redan är reserverat och beviljat i "
            "insatsområdet ({used})."
        ).format(used=format_money(used))


def save_action_area(
    session: Session, actor: Actor, period: ProgrammePeriod, raw: dict[str, str],
    existing: ActionArea | None = None,
) -> tuple[ActionArea | None, FormResult]:  # fmt: skip
    """Add an action area (insatsområde) to the period, or change its name, frame or threshold."""
    new = existing is None
    validators = schemas.NEW_ACTION_AREA_VALIDATORS if new else schemas.ACTION_AREA_VALIDATORS
    result = validate_form(validators, raw)
    cleaned, errors = result.cleaned, result.errors
    if new and "code" not in errors and any(a.code == cleaned["code"] for a in period.action_areas):
        errors["code"] = _("Det finns redan ett insatsområde med den koden.")
    if existing is not None and not errors:
        if cleaned["budget_frame_kr"] != existing.budget_frame_ore:
            _check_frame(session, existing, cleaned["budget_frame_kr"], result)
        threshold = cleaned["pass_threshold_points"]
        effective = period.pass_threshold_points if threshold is None else threshold
        if effective != threshold_for(existing) and existing.id in scored_action_area_ids(
            session, period
        ):
            errors["pass_threshold_points"] = _(
                "Poänggränsen kan inte ändras: ansökningar i insatsområdet har redan poängsatts."
            )
    if errors:
        return None, result
    values = {
        "name": cleaned["name"],
        "budget_frame_ore": cleaned["budget_frame_kr"],
        "pass_threshold_points": cleaned["pass_threshold_points"],
    }
    if existing is None:
        action_area = ActionArea(area_id=period.area_id, period=period, code=cleaned["code"],
                                 **values)  # fmt: skip
        session.add(action_area)
        session.flush()
        _record(session, actor, action_area, "action_area", "created",
                f"Lade till insatsområdet {action_area.name}",
                {key: [None, value] for key, value in values.items()},
                cleaned["reason"])  # fmt: skip
        return action_area, result
    if changes := _assign(existing, values):
        _record(session, actor, existing, "action_area", "settings_changed",
                f"Ändrade insatsområdet {existing.name}", changes, cleaned["reason"])  # fmt: skip
    return existing, result


def remove_action_area(
    session: Session, actor: Actor, action_area: ActionArea, reason: str = ""
) -> None:
    """Remove an action area that nothing refers to yet (e.g. one added by mistake)."""
    period = action_area.period
    ledger.lock_period(session, period)
    in_use = session.scalar(
        select(
            exists().where(Application.action_area_id == action_area.id)
            | exists().where(UmbrellaProject.action_area_id == action_area.id)
            | exists().where(LedgerEntry.action_area_id == action_area.id)
        )
    )
    if in_use:
        raise SettingsRefused(
            _(
                "Insatsområdet {name} kan inte tas bort: det har ansökningar, paraplyprojekt "
                "eller bokförda belopp."
            ).format(name=action_area.name)
        )
    _record(session, actor, action_area, "action_area", "removed",
            f"Tog bort insatsområdet {action_area.name}", reason=reason.strip())  # fmt: skip
    session.delete(action_area)
    session.flush()
    session.expire(period, ["action_areas"])


# --- Selection criteria ---


def criterion_values(criterion: SelectionCriterion) -> dict[str, str]:
    return {
        "name": criterion.name,
        "description": criterion.description,
        "weight": str(criterion.weight),
        "max_points": str(criterion.max_points),
    }


def save_criterion(
    session: Session, actor: Actor, period: ProgrammePeriod, raw: dict[str, str],
    existing: SelectionCriterion | None = None,
) -> tuple[SelectionCriterion | None, FormResult]:  # fmt: skip
    """Add a selection criterion (last in the order), or change one. Its name and description
    may always be improved; the scale only until scoring has begun."""
    result = validate_form(schemas.CRITERION_VALIDATORS, raw)
    cleaned, errors = result.cleaned, result.errors
    if "name" not in errors and any(
        c.name == cleaned["name"] and c is not existing for c in period.criteria
    ):
        errors["name"] = _("Det finns redan ett urvalskriterium med det namnet.")
    scale = ("weight", "max_points")
    if not errors.keys() & set(scale) and scored_action_area_ids(session, period):
        if existing is None:
            errors[FORM] = _(SCALE_LOCKED)
        else:
            for name in scale:
                if cleaned[name] != getattr(existing, name):
                    errors[name] = _(SCALE_LOCKED)
    if errors:
        return None, result
    values = {name: cleaned[name] for name in ("name", "description", "weight", "max_points")}
    if existing is None:
        position = max((c.position for c in period.criteria), default=0) + 1
        criterion = SelectionCriterion(area_id=period.area_id, period=period, position=position,
                                       **values)  # fmt: skip
        session.add(criterion)
        session.flush()
        _record(session, actor, criterion, "selection_criterion", "created",
                f"Lade till urvalskriteriet {criterion.name}",
                {key: [None, value] for key, value in values.items()},
                cleaned["reason"])  # fmt: skip
        return criterion, result
    if changes := _assign(existing, values):
        _record(session, actor, existing, "selection_criterion", "settings_changed",
                f"Ändrade urvalskriteriet {existing.name}", changes,
                cleaned["reason"])  # fmt: skip
    return existing, result


def remove_criterion(
    session: Session, actor: Actor, criterion: SelectionCriterion, reason: str = ""
) -> None:
    period = criterion.period
    if scored_action_area_ids(session, period):
        raise SettingsRefused(_(SCALE_LOCKED))
    _record(session, actor, criterion, "selection_criterion", "removed",
            f"Tog bort urvalskriteriet {criterion.name}", reason=reason.strip())  # fmt: skip
    session.delete(criterion)
    session.flush()
    session.expire(period, ["criteria"])


# --- Basic conditions ---

_KEY = re.compile(r"[a-z0-9_]{1,40}")


def condition_values(condition: BasicCondition) -> dict[str, str]:
    return {"text": condition.text, "active": "yes" if condition.active else ""}


def _free_key(period: ProgrammePeriod) -> str:
    taken = {condition.key for condition in period.basic_conditions}
    return next(f"grundkrav_{n}" for n in range(1, len(taken) + 2) if f"grundkrav_{n}" not in taken)


def save_condition(
    session: Session, actor: Actor, period: ProgrammePeriod, raw: dict[str, str],
    existing: BasicCondition | None = None, *, key: str | None = None,
) -> tuple[BasicCondition | None, FormResult]:  # fmt: skip
    """Add a basic condition (active, last in the order) or change its wording or whether it is
    asked. ``key`` names a new condition (a settings file does); by default one is made up."""
    result = validate_form(schemas.CONDITION_VALIDATORS, raw)
    cleaned, errors = result.cleaned, result.errors
    if existing is None and "active" not in raw:
        cleaned["active"] = True  # the form for a new condition has no such box
    if (
        existing is None
        and key is not None
        and (not _KEY.fullmatch(key) or any(c.key == key for c in period.basic_conditions))
    ):
        errors["key"] = _("Ange en ny nyckel med små bokstäver a–z, siffror och _.")
    values = {"text": cleaned.get("text"), "active": cleaned["active"]}
    changed = existing is None or any(getattr(existing, k) != v for k, v in values.items())
    if not errors and changed:
        locked = _rules_locked(session, period.area_id, _(
            "Grundkraven kan inte ändras medan LAG-mötet {date} pågår eller väntar på justering."
        ))  # fmt: skip
        if locked:
            errors[FORM] = locked
    if errors:
        return None, result
    if existing is None:
        position = max((c.position for c in period.basic_conditions), default=0) + 1
        condition = BasicCondition(area_id=period.area_id, period=period,
                                   key=key or _free_key(period), position=position,
                                   **values)  # fmt: skip
        session.add(condition)
        session.flush()
        _record(session, actor, condition, "basic_condition", "created",
                f"Lade till grundkravet ”{condition.text}”",
                {name: [None, value] for name, value in values.items()},
                cleaned["reason"])  # fmt: skip
        return condition, result
    if changes := _assign(existing, values):
        _record(session, actor, existing, "basic_condition", "settings_changed",
                f"Ändrade grundkravet ”{existing.text}”", changes, cleaned["reason"])  # fmt: skip
    return existing, result


# --- Order of criteria and conditions ---

Ordered = SelectionCriterion | BasicCondition
_ORDERED = {
    SelectionCriterion: ("selection_criterion", "Ändrade ordningen på urvalskriterierna"),
    BasicCondition: ("basic_condition", "Ändrade ordningen på grundkraven"),
}


def reorder(session: Session, actor: Actor, ordered: list[Any]) -> None:
    """Number criteria or conditions 1, 2, 3 … in the order given (all of one period); one
    audit event when the order changed. The order never changes a score."""
    if not ordered:
        return
    changes = {}
    for position, record in enumerate(ordered, 1):
        if record.position != position:
            changes[str(record.id)] = [record.position, position]
            record.position = position
    if changes:
        entity_type, summary = _ORDERED[type(ordered[0])]
        _record(session, actor, ordered[0].period, "programme_period", f"{entity_type}_order",
                summary, changes)  # fmt: skip
        session.expire(ordered[0].period, ["criteria", "basic_conditions"])


def move(session: Session, actor: Actor, record: Ordered, direction: str) -> None:
    """One step up or down among its period's criteria or conditions."""
    siblings = list(
        record.period.criteria if isinstance(record, SelectionCriterion)
        else record.period.basic_conditions
    )  # fmt: skip
    index = siblings.index(record)
    other = index - 1 if direction == "up" else index + 1
    if direction in ("up", "down") and 0 <= other < len(siblings):
        siblings[index], siblings[other] = siblings[other], siblings[index]
        reorder(session, actor, siblings)


# --- The settings page ---


@dataclass(frozen=True)
class Overview:
    """What the settings page shows: the area, its current period with the budget figures, and
    what is locked and why."""

    area: Area
    period: ProgrammePeriod | None
    allocation: ledger.Balance | None
    frames: list[tuple[ActionArea, ledger.Balance]]
    scored_action_area_ids: set[int]
    meeting_in_progress: Meeting | None
    warnings: list[str]

    @property
    def scoring_started(self) -> bool:
        return bool(self.scored_action_area_ids)

    @property
    def maximum_points(self) -> int:
        """The highest weighted score an application can get."""
        return sum(c.weight * c.max_points for c in self.period.criteria) if self.period else 0


def overview(session: Session, area: Area, period: ProgrammePeriod | None) -> Overview:
    if period is None:
        return Overview(area, None, None, [], set(), meeting_in_progress(session, area.id), [])
    budget = ledger.overview(session, period)
    return Overview(
        area=area,
        period=period,
        allocation=budget.total,
        frames=[(action_area, line.balance) for action_area, line
                in zip(period.action_areas, budget.action_areas, strict=True)],
        scored_action_area_ids=scored_action_area_ids(session, period),
        meeting_in_progress=meeting_in_progress(session, area.id),
        warnings=_warnings(period, budget.total.limit_ore),
    )  # fmt: skip


def _warnings(period: ProgrammePeriod, allocation_ore: int) -> list[str]:
    """Figures that do not add up but are not wrong in themselves: the ledger guards every
    budget on its own, and a manager moving money between frames passes through such states."""
    warnings = []
    frames = sum(area.budget_frame_ore for area in period.action_areas)
    if period.action_areas and frames != allocation_ore:
        warnings.append(
            _("Insatsområdenas ramar är tillsammans {frames}; tilldelningen är {allocation}.")
            .format(frames=format_money(frames), allocation=format_money(allocation_ore))
        )  # fmt: skip
    maximum = sum(c.weight * c.max_points for c in period.criteria)
    if period.criteria:
        for action_area in period.action_areas:
            if threshold_for(action_area) > maximum:
                warnings.append(
                    _("Poänggränsen {threshold} för {name} är högre än den högsta möjliga "
                      "poängen, {maximum}.").format(threshold=threshold_for(action_area),
                                                   name=action_area.name, maximum=maximum)
                )  # fmt: skip
    return warnings
