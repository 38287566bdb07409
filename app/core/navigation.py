"""The staff sections: one declaration gives both the navigation and who may open each section.

Each feature's routes guard themselves with ``require_roles(*SECTION.roles)`` from here, so the
menu a role sees and the pages it can open cannot drift apart.
"""

from dataclasses import dataclass
from typing import Any

from app.auth.models import Role
from app.core.i18n import N_


@dataclass(frozen=True)
class Section:
    label: str
    path: str
    roles: frozenset[Role]


CASES = Section(N_("Ärenden"), "/cases", frozenset({Role.HANDLER, Role.MANAGER}))
ORGANISATIONS = Section(N_("Organisationer"), "/organisations", CASES.roles)
BUDGET = Section(
    N_("Budget"),
    "/budget",
    frozenset({Role.MANAGER, Role.HANDLER, Role.LAG_CHAIR, Role.LAG_MEMBER}),
)
BOARD = Section(
    N_("LAG-styrelsen"),
    "/board",
    frozenset({Role.LAG_MEMBER, Role.LAG_CHAIR, Role.HANDLER, Role.MANAGER}),
)
CALLS = Section(N_("Utlysningar"), "/umbrellas", frozenset({Role.MANAGER}))
# The area's settings (app/settings): the manager's, and the administrator's for set-up.
SETTINGS = Section(N_("Inställningar"), "/settings", frozenset({Role.MANAGER, Role.ADMIN}))
# Managers see the area's users and invite the office's and the board's people (app/accounts).
ADMIN = Section(N_("Administration"), "/admin/users", frozenset({Role.ADMIN, Role.MANAGER}))
# The register of personal data is for every staff member; its tools are narrower (app/privacy).
PRIVACY = Section(N_("Personuppgifter"), "/personal-data", frozenset(Role))

# Order matters twice: it is the menu order, and a user's start page is the first section whose
# roles match the user's *primary* role, taken in ``START_ORDER``.
SECTIONS = (CASES, ORGANISATIONS, CALLS, BUDGET, BOARD, SETTINGS, ADMIN, PRIVACY)
START_ORDER = (
    (Role.HANDLER, CASES),
    (Role.MANAGER, BUDGET),
    (Role.LAG_CHAIR, BOARD),
    (Role.LAG_MEMBER, BOARD),
    (Role.ADMIN, ADMIN),
)


def start_path(user: Any) -> str:
    """Where a user lands after login: the section of their first role in ``START_ORDER``."""
    for role, section in START_ORDER:
        if role in user.roles:
            return section.path
    return "/"


def navigation_for(user: Any, current_path: str) -> list[dict[str, Any]]:
    if user is None:
        return []
    return [
        {
            "label": section.label,
            "path": section.path,
            "current": current_path.startswith(section.path),
        }
        for section in SECTIONS
        if not section.roles.isdisjoint(user.roles)
    ]
