"""New Leader areas, created by a deployment administrator (or the command line) with their
programme period and first manager, so that the area works from the first login."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.accounts.service import account_email, check_email_is_free, invite
from app.areas.models import Area, ProgrammePeriod
from app.audit import service as audit
from app.audit.service import Actor
from app.auth.models import Role, User
from app.config import Settings
from app.core.forms import FieldError, FormResult, optional, required, validate_form
from app.core.i18n import N_
from app.core.i18n import gettext as _
from app.core.money import parse_kronor
from app.ledger.models import LedgerKind
from app.ledger.service import record_entry

# A new area starts in the programme period 2023–2027 with the published volunteer rates
# (340 and 77 kr/h); its uptake target and pass threshold are its own and are adjusted later.
NEW_AREA_PERIOD = {
    "name": "2023–2027",
    "starts_on": date(2023, 1, 1),
    "ends_on": date(2027, 12, 31),
    "uptake_target_percent": 75,
    "uptake_target_date": date(2027, 12, 31),
    "pass_threshold_points": 0,
    "volunteer_rate_adult_ore": 340_00,
    "volunteer_rate_youth_ore": 77_00,
}
AREA_CODE_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")


def _area_code(value: str) -> str:
    code = value.strip()
    if not code:
        raise FieldError(N_("Ange en kod för området, t.ex. sodermanland."))
    if not 2 <= len(code) <= 40 or not set(code) <= AREA_CODE_CHARACTERS or code[0] == "-":
        raise FieldError(
            N_("Koden får bara ha små bokstäver a–z, siffror och bindestreck (2–40 tecken).")
        )
    return code


def _allocation(value: str) -> int:
    if not value.strip():
        raise FieldError(N_("Ange områdets tilldelade projektmedel i kronor."))
    return parse_kronor(value, allow_zero=False)


def validate_area(session: Session, raw: dict[str, str], *, complete: bool) -> FormResult:
    """The area's code and name, its first manager and the period's allocated project funds.
    The web form asks for all of them (``complete``); scripted set-up may leave out the
    manager (users are added afterwards) and the allocation."""
    name_check = required(N_("Ange verksamhetsledarens namn."), max_length=200)
    result = validate_form(
        {
            "code": _area_code,
            "name": required(N_("Ange områdets namn, t.ex. Leader Södermanland."), max_length=200),
            "manager_name": name_check if complete else optional(name_check),
            "manager_email": account_email if complete else optional(account_email),
            "allocation": _allocation if complete else optional(_allocation),
        },
        raw,
    )
    code = result.cleaned.get("code")
    if code and session.scalar(select(Area.id).where(Area.code == code)) is not None:
        result.errors["code"] = _("Det finns redan ett område med koden {code}.").format(code=code)
    check_email_is_free(session, result, "manager_email")
    manager = (result.cleaned.get("manager_name"), result.cleaned.get("manager_email"))
    if not {"manager_name", "manager_email"} & result.errors.keys() and any(manager):
        for field, value in zip(("manager_name", "manager_email"), manager, strict=True):
            if not value:
                result.errors[field] = _("Ange både namn och e-postadress för verksamhetsledaren.")
    return result


def create_area(
    session: Session,
    settings: Settings,
    actor: Actor,
    *,
    code: str,
    name: str,
    manager_name: str | None = None,
    manager_email: str | None = None,
    allocation: int | None = None,
) -> tuple[Area, User | None]:
    """A new, empty Leader area that works from the first login: the programme period (with its
    allocation, if given) and the first manager, invited as manager and administrator of the
    area so that the office runs its own accounts from then on."""
    area = Area(code=code, name=name)
    session.add(area)
    session.flush()
    period = ProgrammePeriod(area_id=area.id, **NEW_AREA_PERIOD)
    session.add(period)
    session.flush()
    audit.record(
        session, actor, entity_type="area", entity_id=area.id, action="created",
        summary=f"{actor.label} skapade Leaderområdet {name} ({code})", area_id=area.id,
    )  # fmt: skip
    if allocation:
        area_actor = Actor(label=actor.label, user_id=actor.user_id, area_id=area.id)
        record_entry(
            session, area_actor, period=period, kind=LedgerKind.ALLOCATION, amount_ore=allocation,
            reason=f"Tilldelade projektmedel {period.name}",
        )  # fmt: skip
    manager = None
    if manager_name and manager_email:
        manager = invite(
            session, settings, actor, area.id, full_name=manager_name, email=manager_email,
            roles=frozenset({Role.MANAGER, Role.ADMIN}),
        )  # fmt: skip
    return area, manager


def all_areas(session: Session) -> list[Area]:
    return list(session.scalars(select(Area).order_by(Area.name)))
