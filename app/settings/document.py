"""The area's settings as a file, for scripted set-up (``python -m app show-settings`` and
``import-settings``; the format is described in docs/settings.md).

Importing goes through the same service functions as the settings pages, with the same field
checks and refusals, and reports every problem at once; the caller commits only when there is
none, so a file is applied in full or not at all. Showing the settings and importing the result
changes nothing. The command line speaks Swedish, like the rest of it.
"""

import json
from collections.abc import Iterable
from datetime import date
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.areas.models import Area, BasicCondition, ProgrammePeriod, SelectionCriterion
from app.audit.service import Actor
from app.core.forms import FormResult
from app.core.money import InvalidAmount, format_kronor_input
from app.ledger import service as ledger
from app.settings import schemas, service
from app.settings.service import AREA_SETTINGS, PERIOD_SETTINGS

# Keys of each part of the file: (required, optional).
AREA_KEYS = (("area", *AREA_SETTINGS, "period"), ())
PERIOD_KEYS = (
    ("name", "starts_on", "ends_on", "allocation_kr", *PERIOD_SETTINGS, "action_areas",
     "selection_criteria", "basic_conditions"),
    (),
)  # fmt: skip
ACTION_AREA_KEYS = (("code", "name", "budget_frame_kr"), ("pass_threshold_points",))
CRITERION_KEYS = (("name", "weight", "max_points"), ("description",))
CONDITION_KEYS = (("key", "text"), ("active",))


# --- Showing ---


def _kronor(ore: int) -> int | str:
    """Whole kronor as a number, anything else as typed in a form ("340,50")."""
    return ore // 100 if ore % 100 == 0 else format_kronor_input(ore)


def export(session: Session, area: Area, period: ProgrammePeriod | None) -> dict[str, Any]:
    """The settings of ``area`` and its programme period, as the file holds them."""
    data: dict[str, Any] = {"area": area.code}
    data.update({name: getattr(area, name) for name in AREA_SETTINGS})
    if period is None:
        data["period"] = None
        return data
    figures = {
        field: _kronor(getattr(period, attribute)) if field.endswith("_kr")
        else getattr(period, attribute)
        for field, attribute in PERIOD_SETTINGS.items()
    }  # fmt: skip
    data["period"] = {
        "name": period.name,
        "starts_on": period.starts_on,
        "ends_on": period.ends_on,
        "allocation_kr": _kronor(ledger.period_balance(session, period).limit_ore),
        **figures,
        "action_areas": [
            {"code": a.code, "name": a.name, "budget_frame_kr": _kronor(a.budget_frame_ore),
             "pass_threshold_points": a.pass_threshold_points}
            for a in period.action_areas
        ],
        "selection_criteria": [
            {"name": c.name, "description": c.description, "weight": c.weight,
             "max_points": c.max_points}
            for c in period.criteria
        ],
        "basic_conditions": [
            {"key": c.key, "text": c.text, "active": c.active} for c in period.basic_conditions
        ],
    }  # fmt: skip
    return data


def dump(data: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(data, ensure_ascii=False, indent=2, default=date.isoformat) + "\n"
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


# --- Reading ---


def _text(value: Any) -> str | None:
    """A value as a form field holds it; None for one that cannot be a field (a list, say)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float | str):
        return str(value)
    return None


def _at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class _Reader:
    """Collects the problems of one import, each prefixed with where in the file it is."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fields(
        self, value: Any, path: str, keys: tuple[tuple[str, ...], tuple[str, ...]],
        nested: Iterable[str] = (),
    ) -> dict[str, str] | None:  # fmt: skip
        """The scalar keys of a mapping as form fields (``nested`` ones are left to the caller);
        None when there is no mapping or a required key is missing."""
        required, optional = keys
        if not isinstance(value, dict):
            self.problems.append(f"{path or 'filen'}: ska vara nycklar och värden.")
            return None
        known = set(required) | set(optional)
        for key in sorted(set(value) - known, key=str):
            self.problems.append(f"{_at(path, str(key))}: okänd nyckel.")
        missing = [key for key in required if key not in value]
        for key in missing:
            self.problems.append(f"{_at(path, key)}: saknas.")
        raw = {}
        for key in sorted(set(value) & known - set(nested)):
            text = _text(value[key])
            if text is None:
                self.problems.append(f"{_at(path, key)}: ska vara ett enkelt värde.")
            else:
                raw[key] = text
        return None if missing else raw

    def entries(
        self, value: Any, path: str, keys: tuple[tuple[str, ...], tuple[str, ...]], identity: str
    ) -> list[tuple[str, dict[str, str]]] | None:
        """The entries of a list as (where, fields), each named by its ``identity`` key once;
        None when any entry is unusable (nothing of the list is then applied)."""
        if not isinstance(value, list):
            self.problems.append(f"{path}: ska vara en lista.")
            return None
        entries, seen, usable = [], set(), True
        for index, entry in enumerate(value):
            where = f"{path}[{index}]"
            raw = self.fields(entry, where, keys)
            if raw is None:
                usable = False
                continue
            raw[identity] = raw[identity].strip()
            if raw[identity] in seen:
                self.problems.append(f"{where}.{identity}: {raw[identity]} finns redan i listan.")
                usable = False
            seen.add(raw[identity])
            entries.append((where, raw))
        return entries if usable else None

    def verdict(self, result: FormResult, path: str) -> bool:
        """Take a service's answer; True when it was accepted."""
        self.problems += [
            f"{path}: {message}" if field == service.FORM else f"{_at(path, field)}: {message}"
            for field, message in result.errors.items()
        ]
        return result.ok


def import_settings(
    session: Session, actor: Actor, area: Area, data: Any, reason: str
) -> list[str]:
    """Apply the settings in ``data`` (a YAML or JSON document as read; JSON is YAML too) to
    ``area`` in ``session``. Returns the problems; when there are any, some changes may have
    been made and the caller must roll back."""
    reader = _Reader()
    raw = reader.fields(data, "", AREA_KEYS, nested=("period",))
    if raw is None:
        return reader.problems
    if raw["area"] != area.code:
        return [f"area: filen gäller området {raw['area']}, inte {area.code}."]
    reader.verdict(service.save_area(session, actor, area, {**raw, "reason": reason}), "")
    if data["period"] is not None:
        _import_period(session, actor, area, data["period"], reason, reader)
    return reader.problems


def _import_period(
    session: Session, actor: Actor, area: Area, data: Any, reason: str, reader: _Reader
) -> None:
    lists = ("action_areas", "selection_criteria", "basic_conditions")
    raw = reader.fields(data, "period", PERIOD_KEYS, nested=lists)
    if raw is None:
        return
    raw["reason"] = reason
    period = session.scalar(
        select(ProgrammePeriod).where(
            ProgrammePeriod.area_id == area.id, ProgrammePeriod.name == raw["name"].strip()
        )
    )
    if period is None:
        period, result = service.create_period(session, actor, area, raw)
        if period is None:
            reader.verdict(result, "period")
            return
    else:
        for key, current in (("starts_on", period.starts_on), ("ends_on", period.ends_on)):
            if raw[key] != current.isoformat():
                reader.problems.append(
                    f"period.{key}: programperiodens datum kan inte ändras ({current})."
                )
        reader.verdict(service.save_period(session, actor, period, raw), "period")
    try:
        unchanged = schemas.kronor(raw["allocation_kr"]) == (
            ledger.period_balance(session, period).limit_ore
        )
    except InvalidAmount:
        unchanged = False  # the service says what is wrong with it
    if not unchanged:
        reader.verdict(service.change_allocation(session, actor, period, raw), "period")
    _action_areas(session, actor, period, data["action_areas"], reason, reader)
    _criteria(session, actor, period, data["selection_criteria"], reason, reader)
    _conditions(session, actor, period, data["basic_conditions"], reason, reader)


def _action_areas(
    session: Session, actor: Actor, period: ProgrammePeriod, value: Any, reason: str,
    reader: _Reader,
) -> None:  # fmt: skip
    """Matched by code: new codes are added, missing ones removed."""
    path = "period.action_areas"
    entries = reader.entries(value, path, ACTION_AREA_KEYS, "code")
    if entries is None:
        return
    existing = {action_area.code: action_area for action_area in period.action_areas}
    for where, raw in entries:
        _, result = service.save_action_area(
            session, actor, period, {**raw, "reason": reason}, existing.get(raw["code"])
        )
        reader.verdict(result, where)
    listed = {raw["code"] for _where, raw in entries}
    for code, action_area in existing.items():
        if code not in listed:
            try:
                service.remove_action_area(session, actor, action_area, reason)
            except service.SettingsRefused as refused:
                reader.problems.append(f"{path}: {refused.message}")


def _criteria(
    session: Session, actor: Actor, period: ProgrammePeriod, value: Any, reason: str,
    reader: _Reader,
) -> None:  # fmt: skip
    """Matched by name, in the file's order: new names are added, missing ones removed."""
    path = "period.selection_criteria"
    entries = reader.entries(value, path, CRITERION_KEYS, "name")
    if entries is None:
        return
    existing = {criterion.name: criterion for criterion in period.criteria}
    listed = {raw["name"] for _where, raw in entries}
    for name, criterion in existing.items():
        if name not in listed:
            try:
                service.remove_criterion(session, actor, criterion, reason)
            except service.SettingsRefused as refused:
                reader.problems.append(f"{path}: {refused.message}")
    ordered: list[SelectionCriterion] = []
    for where, raw in entries:
        criterion, result = service.save_criterion(
            session, actor, period, {**raw, "reason": reason}, existing.get(raw["name"])
        )
        if reader.verdict(result, where) and criterion is not None:
            ordered.append(criterion)
    if len(ordered) == len(entries):
        service.reorder(session, actor, ordered)


def _conditions(
    session: Session, actor: Actor, period: ProgrammePeriod, value: Any, reason: str,
    reader: _Reader,
) -> None:  # fmt: skip
    """Matched by key, in the file's order. A condition is never removed: earlier answers refer
    to it; ``active: false`` stops asking it."""
    path = "period.basic_conditions"
    entries = reader.entries(value, path, CONDITION_KEYS, "key")
    if entries is None:
        return
    existing = {condition.key: condition for condition in period.basic_conditions}
    listed = {raw["key"] for _where, raw in entries}
    for key in existing.keys() - listed:
        reader.problems.append(
            f"{path}: grundkravet {key} kan inte tas bort; ange active: false för att sluta "
            "ställa det."
        )
    ordered: list[BasicCondition] = []
    for where, raw in entries:
        current = existing.get(raw["key"])
        condition, result = service.save_condition(
            session, actor, period, {"active": "yes", **raw, "reason": reason}, current,
            key=None if current else raw["key"],
        )  # fmt: skip
        if reader.verdict(result, where) and condition is not None:
            ordered.append(condition)
    if len(ordered) == len(entries):
        service.reorder(session, actor, ordered)
