"""Registering a full Leader project from the applicant's documents (no HTTP here).

A Leader project is applied for in Jordbruksverket's e-service, not in Bygdestöd; the office
types it in so that it can be checked, scored and put before the LAG. Registration validates the
whole form with Swedish messages per field, reuses or registers the applicant organisation, and
creates the application already received (through the workflow's "register" transition, so the
audit log shows who registered it). Everything happens in the caller's transaction.
"""

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applications import workflow
from app.applications.models import (
    Application,
    ApplicationKind,
    ApplicationStatus,
    CostLine,
    FinancingKind,
    FinancingLine,
)
from app.applications.service import allocate_reference
from app.areas.models import ActionArea, ProgrammePeriod
from app.areas.service import current_period
from app.audit import service as audit
from app.audit.service import Actor
from app.casework.service import holder_of_national_case_number, national_case_number
from app.core.forms import (
    FieldError,
    FormResult,
    Validator,
    iso_date,
    optional,
    required,
    validate_form,
    whole_number,
)
from app.core.i18n import DEFAULT_LANGUAGE, N_, use_language
from app.core.i18n import gettext as _
from app.core.money import format_money, parse_kronor
from app.db import utcnow
from app.organisations import service as organisations
from app.organisations.models import Organisation

AMOUNT_FIELDS = ("total_costs", "leader_support", "public_cofinancing", "private_money")


def _kronor(*, allow_zero: bool = True) -> Validator:
    return lambda value: parse_kronor(value, allow_zero=allow_zero)


def _action_area(period: ProgrammePeriod | None) -> Validator:
    """Only the current period's action areas of the user's own area can be chosen."""

    def check(value: str) -> ActionArea:
        if period is None or not period.action_areas:
            raise FieldError(N_("Området har ingen aktuell programperiod med insatsområden."))
        chosen = next((a for a in period.action_areas if str(a.id) == value.strip()), None)
        if chosen is None:
            raise FieldError(N_("Välj ett av områdets insatsområden."))
        return chosen

    return check


def validators(raw: dict[str, Any], period: ProgrammePeriod | None) -> dict[str, Validator]:
    """Every field's own check. The applicant's fields are the organisation register's, so an
    organisationsnummer (or a sole trader's personnummer) is judged the same everywhere."""
    org = organisations.validators_for(raw)
    return {
        "title": required(N_("Ange projektets namn."), max_length=300),
        "description": required(N_("Beskriv projektet."), max_length=10_000),
        "expected_results": required(N_("Beskriv de förväntade resultaten."), max_length=10_000),
        "action_area": _action_area(period),
        "received_on": iso_date(N_("Ange när ansökan kom in till Jordbruksverket.")),
        "project_start": iso_date(N_("Ange när projektet startar.")),
        "project_end": iso_date(N_("Ange när projektet slutar.")),
        "national_case_number": optional(national_case_number),
        "org_number": org["org_number"],
        "applicant_name": org["name"],
        "legal_form": org["legal_form"],
        "contact_name": org["contact_name"],
        "contact_email": org["contact_email"],
        "contact_phone": org["contact_phone"],
        "total_costs": _kronor(allow_zero=False),
        "leader_support": _kronor(allow_zero=False),
        "public_cofinancing": optional(_kronor()),
        "private_money": optional(_kronor()),
        "volunteer_hours": whole_number(100_000),
        "volunteer_women": whole_number(10_000),
        "volunteer_men": whole_number(10_000),
    }


def volunteer_value_ore(hours: int, period: ProgrammePeriod) -> int:
    """Ideellt arbete in öre: whole hours × the period's rate for adults, exact."""
    return hours * period.volunteer_rate_adult_ore


def _difference_message(costs: int, financing: int) -> str:
    difference = costs - financing
    if difference > 0:
        message = _(
            "Kostnaderna ({costs}) och finansieringen ({financing}) måste vara lika stora. "
            "Det saknas finansiering för {difference}."
        )
    else:
        message = _(
            "Kostnaderna ({costs}) och finansieringen ({financing}) måste vara lika stora. "
            "Finansieringen är {difference} större än kostnaderna."
        )
    return message.format(
        costs=format_money(costs),
        financing=format_money(financing),
        difference=format_money(abs(difference)),
    )


def _rules(
    session: Session, area_id: int, result: FormResult, period: ProgrammePeriod, today: date
) -> None:
    """The rules across fields: dates in order, volunteers counted, the budget in balance, and
    no second registration of the same e-service case."""
    cleaned, errors = result.cleaned, result.errors
    start, end = cleaned.get("project_start"), cleaned.get("project_end")
    if start is not None and end is not None and end < start:
        errors["project_end"] = _("Slutdatumet kan inte vara före startdatumet.")
    received = cleaned.get("received_on")
    if received is not None and received > today:
        errors["received_on"] = _("Dagen kan inte vara i framtiden.")

    hours = cleaned.get("volunteer_hours") or 0
    people = (cleaned.get("volunteer_women") or 0) + (cleaned.get("volunteer_men") or 0)
    if hours and not people and "volunteer_women" not in errors and "volunteer_men" not in errors:
        errors["volunteer_women"] = _("Ange hur många kvinnor och män som gör det ideella arbetet.")
    if people and not hours and "volunteer_hours" not in errors:
        errors["volunteer_hours"] = _("Ange antalet timmar ideellt arbete.")

    if "volunteer_hours" not in errors and not any(name in errors for name in AMOUNT_FIELDS):
        costs = cleaned["total_costs"]
        financing = (
            cleaned["leader_support"]
            + (cleaned["public_cofinancing"] or 0)
            + (cleaned["private_money"] or 0)
            + volunteer_value_ore(hours, period)
        )
        if costs != financing:
            errors["total_costs"] = _difference_message(costs, financing)

    number = cleaned.get("national_case_number")
    if (
        number
        and "national_case_number" not in errors
        and (existing := holder_of_national_case_number(session, area_id, number))
    ):
        errors["national_case_number"] = _("Ärendet är redan registrerat som {reference}.").format(
            reference=existing
        )


def validate(
    session: Session,
    area_id: int,
    raw: dict[str, Any],
    period: ProgrammePeriod | None,
    today: date,
) -> FormResult:
    """Check the whole form: each field, then (with a period to value the hours) the rules
    across fields."""
    result = validate_form(validators(raw, period), raw)
    if period is not None:
        _rules(session, area_id, result, period, today)
    return result


def _organisation(
    session: Session, actor: Actor, area_id: int, cleaned: dict[str, Any]
) -> tuple[Organisation, dict[str, list[str]]]:
    """The area's organisation with this number, or a newly registered one (with the register's
    own audit event). For an existing one, the details that differ from what was typed are
    returned so the case can say so; the register itself is not rewritten by a registration."""
    existing = session.scalar(
        select(Organisation).where(
            Organisation.area_id == area_id, Organisation.org_number == cleaned["org_number"]
        )
    )
    if existing is None:
        organisation = organisations.register(
            session,
            actor,
            area_id,
            {
                "name": cleaned["applicant_name"],
                "legal_form": cleaned["legal_form"],
                "org_number": cleaned["org_number"],
                "bankgiro": None,
                "plusgiro": None,
                "contact_name": cleaned["contact_name"],
                "contact_email": cleaned["contact_email"],
                "contact_phone": cleaned["contact_phone"],
            },
        )
        return organisation, {}
    differences = {
        label: [str(before), str(typed)]
        for label, before, typed in (
            ("namn", existing.name, cleaned["applicant_name"]),
            ("juridisk form", existing.legal_form.label, cleaned["legal_form"].label),
        )
        if before != typed
    }
    return existing, differences


def _budget(application: Application, cleaned: dict[str, Any], period: ProgrammePeriod) -> None:
    """Cost and financing lines. Ideellt arbete is both a cost and its own financing, as in the
    småstöd budget, so the case page's totals equal the total typed in."""
    hours = cleaned["volunteer_hours"]
    volunteer = volunteer_value_ore(hours, period)
    costs = [
        CostLine(
            description="Kostnader enligt ansökan (utom ideellt arbete)",
            amount_ore=cleaned["total_costs"] - volunteer,
        )
    ]
    financing = [
        FinancingLine(kind=kind, description=kind.label, amount_ore=cleaned[key])
        for kind, key in (
            (FinancingKind.LEADER_SUPPORT, "leader_support"),
            (FinancingKind.PUBLIC_COFINANCING, "public_cofinancing"),
            (FinancingKind.PRIVATE_MONEY, "private_money"),
        )
        if cleaned[key]
    ]
    if hours:
        rate = period.volunteer_rate_adult_ore
        costs.append(CostLine(description="Ideellt arbete", amount_ore=volunteer))
        financing.append(
            FinancingLine(
                kind=FinancingKind.VOLUNTEER_WORK,
                description=f"Ideellt arbete, {hours} timmar à {format_money(rate)}",
                amount_ore=volunteer,
                volunteer_hours=hours,
                volunteer_rate_ore=rate,
                volunteer_women=cleaned["volunteer_women"],
                volunteer_men=cleaned["volunteer_men"],
            )
        )
    for lines in (costs, financing):
        for position, line in enumerate(lines, start=1):
            line.position = position
    application.cost_lines = costs
    application.financing_lines = financing


def register_project(
    session: Session,
    actor: Actor,
    user_area_id: int,
    raw: dict[str, Any],
    *,
    roles: frozenset[str],
    today: date,
) -> tuple[Application | None, FormResult]:
    """Register a Leader project received in Jordbruksverket's e-service.

    Returns the new application (status submitted, with a PRJ reference) and the form result;
    on any error, no application and the errors per field. Writes only to ``session``: the
    caller commits, or rolls back when the result has errors. ``today`` is the Swedish date
    (it picks the programme period and the reference year). A role that may not register
    raises ``workflow.TransitionRefused``.
    """
    register = workflow.BY_NAME["register"]
    if roles.isdisjoint(register.by):  # refuse before anything is written or numbered
        raise workflow.TransitionRefused(workflow.refused_role_message(register))
    period = current_period(session, user_area_id, today)
    result = validate(session, user_area_id, raw, period, today)
    if not result.ok or period is None:
        return None, result
    cleaned = result.cleaned
    now = utcnow()
    # What is written from here on is a record (budget lines, audit entries): in Swedish,
    # whatever the handler's language.
    with use_language(DEFAULT_LANGUAGE):
        return _register(session, actor, user_area_id, cleaned, period, roles, today, now), result


def _register(
    session: Session,
    actor: Actor,
    user_area_id: int,
    cleaned: dict[str, Any],
    period: ProgrammePeriod,
    roles: frozenset[str],
    today: date,
    now: datetime,
) -> Application:
    organisation, differences = _organisation(session, actor, user_area_id, cleaned)
    application = Application(
        area_id=user_area_id,
        kind=ApplicationKind.LEADER_PROJECT,
        status=ApplicationStatus.DRAFT,
        reference=allocate_reference(
            session, user_area_id, ApplicationKind.LEADER_PROJECT, today.year
        ),
        title=cleaned["title"],
        description=cleaned["description"],
        expected_results=cleaned["expected_results"],
        action_area_id=cleaned["action_area"].id,
        organisation=organisation,
        applicant_name=cleaned["applicant_name"],
        contact_name=cleaned["contact_name"],
        contact_email=cleaned["contact_email"],
        contact_phone=cleaned["contact_phone"] or "",
        requested_ore=cleaned["leader_support"],
        project_start=cleaned["project_start"],
        project_end=cleaned["project_end"],
        national_case_number=cleaned["national_case_number"],
        created_at=now,
        # The day it reached the e-service decides which costs count, not the day it was typed in.
        submitted_at=datetime.combine(cleaned["received_on"], time(12), tzinfo=UTC),
        status_changed_at=now,
    )
    _budget(application, cleaned, period)
    session.add(application)
    session.flush()
    if differences:
        audit.record(
            session, actor, area_id=user_area_id, entity_type="application",
            entity_id=application.id, action="organisation_differs",
            summary="Uppgifterna i registreringen skiljer sig från organisationsregistret: "
            + ", ".join(differences) + ". Registret är inte ändrat.",
            changes=differences,
        )  # fmt: skip
    national = (
        f", ärendenummer hos Jordbruksverket {application.national_case_number}"
        if application.national_case_number
        else ""
    )
    workflow.apply(
        session, actor, application, "register", roles, now=now,
        summary=f"Leaderprojektet {application.reference} registrerades: {application.title}, "
        f"{format_money(application.requested_ore)} Leaderstöd söks{national}",
    )  # fmt: skip
    session.flush()
    return application
