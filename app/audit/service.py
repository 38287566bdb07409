"""Recording audit events. Every state change in a service calls ``record`` in the same
transaction as the change itself, so a change without its audit event cannot be committed."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.audit.models import AuditEvent


@dataclass(frozen=True)
class Actor:
    """Who is acting: a staff user, or a labelled outsider such as an applicant or the system."""

    label: str
    user_id: int | None = None
    area_id: int | None = None


def record(
    session: Session,
    actor: Actor,
    *,
    entity_type: str,
    entity_id: int | None,
    action: str,
    summary: str,
    area_id: int | None = None,
    changes: dict[str, Any] | None = None,
    reason: str | None = None,
) -> AuditEvent:
    """Add an audit event to the session (flushed with the change it describes)."""
    event = AuditEvent(
        area_id=area_id if area_id is not None else actor.area_id,
        actor_user_id=actor.user_id,
        actor_label=actor.label,
        entity_type=entity_type,
        entity_id=entity_id,
        action=action,
        summary=summary,
        changes=changes,
        reason=reason,
    )
    session.add(event)
    return event
