"""API shapes for the current user, and the code field of two-factor forms."""

from pydantic import BaseModel

from app.auth.models import Role
from app.core.forms import FieldSpec
from app.core.i18n import N_

# The login's second step and the account page ask for a code from the authenticator app.
CODE_FIELD = FieldSpec(
    "code", N_("Sexsiffrig kod från appen"), required=True, autocomplete="one-time-code",
    inputmode="numeric",
)  # fmt: skip


class Me(BaseModel):
    id: int
    email: str
    full_name: str
    area_id: int
    area_name: str
    roles: list[Role]
