"""The account forms: inviting a user, a new Leader area, choosing a password."""

from app.auth.models import ROLE_LABELS, Role
from app.core.forms import FieldSpec
from app.core.i18n import N_


def invitation_fields(roles: tuple[Role, ...]) -> tuple[FieldSpec, ...]:
    """The roles offered are those the inviter may give."""
    return (
        FieldSpec("full_name", N_("Namn"), required=True, autocomplete="off"),
        FieldSpec("email", N_("E-postadress"), type="email", required=True, autocomplete="off",
                  hint=N_("Personen loggar in med den och får inbjudan dit.")),
        FieldSpec("roles", N_("Roller"), type="checkboxes", required=True,
                  options=tuple((role.value, ROLE_LABELS[role]) for role in roles)),
    )  # fmt: skip


ROLE_FIELD = FieldSpec(
    "roles", N_("Roller"), type="checkboxes", required=True,
    options=tuple((role.value, ROLE_LABELS[role]) for role in Role),
)  # fmt: skip

AREA_FIELDS = (
    FieldSpec("code", N_("Kod"), required=True, autocomplete="off",
              hint=N_("Små bokstäver, siffror och bindestreck, t.ex. sodermanland. Kan inte "
                      "ändras.")),
    FieldSpec("name", N_("Områdets namn"), required=True, autocomplete="off",
              hint=N_("T.ex. Leader Södermanland.")),
    FieldSpec("manager_name", N_("Verksamhetsledarens namn"), required=True, autocomplete="off"),
    FieldSpec("manager_email", N_("Verksamhetsledarens e-postadress"), type="email",
              required=True, autocomplete="off",
              hint=N_("Verksamhetsledaren får en inbjudan och blir områdets administratör.")),
    FieldSpec("allocation", N_("Tilldelade projektmedel 2023–2027 (kr)"), required=True,
              inputmode="decimal", hint=N_("Enligt Jordbruksverkets beslut om tilldelning.")),
)  # fmt: skip

PASSWORD_FIELDS = (
    FieldSpec("password", N_("Nytt lösenord"), type="password", required=True,
              autocomplete="new-password", hint=N_("Minst 12 tecken. En mening du minns är bra.")),
    FieldSpec("confirm", N_("Samma lösenord igen"), type="password", required=True,
              autocomplete="new-password"),
)  # fmt: skip
