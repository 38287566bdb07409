"""Umbrella projects and their calls (utlysningar)."""

import enum
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from app.areas.models import Area
from app.audit import service as audit
from app.audit.service import Actor
from app.core.forms import (
    FieldError,
    FormResult,
    choice,
    iso_date,
    required,
    validate_form,
    whole_number,
)
from app.core.i18n import N_
from app.core.i18n import gettext as _
from app.core.money import format_kronor_input, format_money, parse_kronor
from app.ledger.service import pot_balance
from app.organisations.models import LegalForm
from app.umbrellas.models import DecisionBody, UmbrellaProject


@dataclass(frozen=True)
class OpenCall:
    umbrella: UmbrellaProject
    area_name: str  # one deployment may host several Leader areas
    remaining_ore: int


def open_calls(session: Session, now: datetime) -> list[OpenCall]:
    """Calls open right now, soonest deadline first, with what is left in each pot."""
    rows = session.execute(
        select(UmbrellaProject, Area.name)
        .join(Area, Area.id == UmbrellaProject.area_id)
        .options(joinedload(UmbrellaProject.action_area))
        .where(UmbrellaProject.call_opens_at <= now, UmbrellaProject.call_closes_at > now)
        .order_by(Area.name, UmbrellaProject.call_closes_at)
    )
    return [
        OpenCall(umbrella, area_name, max(pot_balance(session, umbrella).remaining_ore, 0))
        for umbrella, area_name in rows
    ]


def calls_in_area(session: Session, area_id: int) -> list[UmbrellaProject]:
    return list(
        session.scalars(
            select(UmbrellaProject)
            .where(UmbrellaProject.area_id == area_id)
            .order_by(UmbrellaProject.call_closes_at.desc())
        )
    )


def get_in_area(session: Session, area_id: int, umbrella_id: int) -> UmbrellaProject | None:
    return session.scalar(
        select(UmbrellaProject).where(
            UmbrellaProject.id == umbrella_id, UmbrellaProject.area_id == area_id
        )
    )


def _legal_forms(value: str) -> list[str]:
    chosen = [line.strip() for line in value.splitlines() if line.strip()]
    if not chosen:
        raise FieldError(N_("Välj minst en juridisk form som får söka."))
    try:
        return [LegalForm(form).value for form in chosen]
    except ValueError:
        raise FieldError(N_("Välj bland de juridiska formerna i listan.")) from None


def _attachment_labels(value: str) -> list[str]:
    labels = [line.strip() for line in value.splitlines() if line.strip()]
    if any(len(label) > 100 for label in labels):
        raise FieldError(N_("Högst 100 tecken per bilaga."))
    return list(dict.fromkeys(labels))  # no duplicates, order kept


def _kronor(value: str) -> int:
    return parse_kronor(value)


CALL_VALIDATORS = {
    "name": required(N_("Ange paraplyprojektets namn."), max_length=200),
    "action_area_id": whole_number(2_147_483_647),
    "description": required(N_("Skriv en kort beskrivning för sökande."), max_length=3000),
    "pot": _kronor,
    "min_grant": _kronor,
    "max_grant": _kronor,
    "volunteer_match_percent": whole_number(1000),
    "max_project_months": whole_number(120),
    "call_opens_on": iso_date(N_("Ange när utlysningen öppnar.")),
    "call_closes_on": iso_date(N_("Ange sista ansökningsdag.")),
    "eligible_legal_forms": _legal_forms,
    "required_attachments": _attachment_labels,
    "decision_body": choice(DecisionBody, N_("Välj vem som beslutar.")),
    "delegation_limit": _kronor,
}


def validate_call(
    session: Session,
    area_id: int,
    action_area_ids: set[int],
    raw: dict[str, str],
    existing: UmbrellaProject | None = None,
) -> FormResult:
    """Every field, then the rules across fields and against what is already granted."""
    result = validate_form(CALL_VALIDATORS, raw)
    cleaned, errors = result.cleaned, result.errors
    if "action_area_id" not in errors and cleaned["action_area_id"] not in action_area_ids:
        errors["action_area_id"] = _("Välj ett insatsområde i den aktuella programperioden.")
    if not errors.keys() & {"min_grant", "max_grant", "pot"}:
        if cleaned["min_grant"] > cleaned["max_grant"]:
            errors["min_grant"] = _("Minsta stöd kan inte vara större än högsta stöd.")
        elif cleaned["max_grant"] > cleaned["pot"]:
            errors["max_grant"] = _("Högsta stöd kan inte vara större än potten.")
        elif existing is not None:
            used = pot_balance(session, existing)
            if cleaned["pot"] < used.reserved_ore + used.committed_ore:
                errors["pot"] = _(
                    "Potten kan inte bli mindre än det som redan är beviljat ur den ({granted})."
                ).format(granted=format_money(used.reserved_ore + used.committed_ore))
    if "max_project_months" not in errors and cleaned["max_project_months"] < 1:
        errors["max_project_months"] = _("Ange minst en månad.")
    if not errors.keys() & {"call_opens_on", "call_closes_on"} and (
        cleaned["call_closes_on"] < cleaned["call_opens_on"]
    ):
        errors["call_closes_on"] = _("Sista ansökningsdag kan inte vara före öppningsdagen.")
    duplicate = session.scalar(
        select(UmbrellaProject.id).where(
            UmbrellaProject.area_id == area_id,
            UmbrellaProject.name == cleaned.get("name"),
            UmbrellaProject.id != (existing.id if existing else -1),
        )
    )
    if duplicate is not None and "name" not in errors:
        errors["name"] = _("Det finns redan ett paraplyprojekt med det namnet.")
    return result


def _window(cleaned: dict[str, Any], timezone: str) -> tuple[datetime, datetime]:
    """The call is open from 00:00 on the first day to 23:59:59 on the last, Swedish time."""
    zone = ZoneInfo(timezone)
    opens = datetime.combine(cleaned["call_opens_on"], time.min, zone)
    closes = datetime.combine(cleaned["call_closes_on"] + timedelta(days=1), time.min, zone)
    return opens, closes


def save_call(
    session: Session,
    actor: Actor,
    area_id: int,
    cleaned: dict[str, Any],
    timezone: str,
    existing: UmbrellaProject | None = None,
) -> UmbrellaProject:
    """Create a call, or change one; the audit event lists every changed setting."""
    opens, closes = _window(cleaned, timezone)
    values = {
        "name": cleaned["name"],
        "action_area_id": cleaned["action_area_id"],
        "description": cleaned["description"],
        "pot_ore": cleaned["pot"],
        "min_grant_ore": cleaned["min_grant"],
        "max_grant_ore": cleaned["max_grant"],
        "volunteer_match_percent": cleaned["volunteer_match_percent"],
        "max_project_months": cleaned["max_project_months"],
        "call_opens_at": opens,
        "call_closes_at": closes,
        "eligible_legal_forms": cleaned["eligible_legal_forms"],
        "required_attachments": cleaned["required_attachments"],
        "decision_body": cleaned["decision_body"],
        "delegation_limit_ore": cleaned["delegation_limit"],
    }
    umbrella = existing or UmbrellaProject(area_id=area_id)
    changes = {
        key: [_plain(getattr(umbrella, key, None)), _plain(value)]
        for key, value in values.items()
        if existing is None or getattr(umbrella, key) != value
    }
    for key, value in values.items():
        setattr(umbrella, key, value)
    session.add(umbrella)
    session.flush()
    audit.record(
        session,
        actor,
        area_id=area_id,
        entity_type="umbrella_project",
        entity_id=umbrella.id,
        action="update" if existing else "create",
        summary=f"{'Ändrade' if existing else 'Skapade'} utlysningen {umbrella.name}",
        changes=changes or None,
    )
    return umbrella


def _plain(value: Any) -> Any:
    """A JSON-friendly form of a setting for the audit log."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    return value


def form_values(umbrella: UmbrellaProject, timezone: str) -> dict[str, str]:
    """An existing call as the form shows it."""
    zone = ZoneInfo(timezone)
    return {
        "name": umbrella.name,
        "action_area_id": str(umbrella.action_area_id),
        "description": umbrella.description,
        "pot": format_kronor_input(umbrella.pot_ore),
        "min_grant": format_kronor_input(umbrella.min_grant_ore),
        "max_grant": format_kronor_input(umbrella.max_grant_ore),
        "volunteer_match_percent": str(umbrella.volunteer_match_percent),
        "max_project_months": str(umbrella.max_project_months),
        "call_opens_on": umbrella.call_opens_at.astimezone(zone).date().isoformat(),
        "call_closes_on": (umbrella.call_closes_at.astimezone(zone) - timedelta(seconds=1))
        .date()
        .isoformat(),
        "eligible_legal_forms": "\n".join(umbrella.eligible_legal_forms),
        "required_attachments": "\n".join(umbrella.required_attachments),
        "decision_body": umbrella.decision_body.value,
        "delegation_limit": format_kronor_input(umbrella.delegation_limit_ore),
    }
