"""Who takes part in one LAG decision, and whether the decision may be taken at all.

Pure functions with no database or HTTP, so the meeting service can check each agenda item after
jäv and the rules can be tested exhaustively. Swedish LAG practice (see domain.md):

- Quorum (beslutförhet): ordinary members taking part, plus substitutes standing in for absent or
  conflicted ones, must be more than half of all ordinary seats (the share is the statutes', an
  area setting).
- Balance: no interest group may hold more than 49 % of the votes cast in the decision (also an
  area setting).
- Jäv: a member with a conflict of interest leaves the item and never votes; a present substitute
  may stand in for them, just as for an absent member.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_decimal

from app.board.models import Sector
from app.core.i18n import format_locale
from app.core.i18n import gettext as _

_ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class DecisionRules:
    """The figures of the association's statutes (the area's settings): quorate when those
    taking part are more than ``quorum_percent`` % of the ordinary seats, and no interest group
    may hold more than ``balance_limit_percent`` % of the votes cast."""

    quorum_percent: int = 50
    balance_limit_percent: int = 49

    def quorum_needed(self, ordinary_total: int) -> int:
        """The fewest taking part that are more than the share (exact: 50 % of 10 needs 6)."""
        return ordinary_total * self.quorum_percent // 100 + 1

    def dominates(self, votes: int, total: int) -> bool:
        """More than the limit, compared exactly: 25 of 51 is 49.02 %, which rounds to 49.0 but
        breaks the rule."""
        return votes * 100 > self.balance_limit_percent * total


USUAL_RULES = DecisionRules()


@dataclass(frozen=True)
class Seat:
    """One member serving on the meeting day, as the rules need to see them."""

    member_id: int
    name: str
    sector: Sector
    # Ordinarie ledamot (chair and vice chair included); False for an ersättare.
    ordinary: bool
    # For an ersättare: the ordinary member they are personal substitute for. None means they may
    # stand in for any ordinary member of their own sector. Ignored for ordinary members.
    substitute_for: int | None


@dataclass(frozen=True)
class Situation:
    """The board on the meeting day and the state of one agenda item."""

    seats: tuple[Seat, ...]  # everyone serving on the meeting day
    present: frozenset[int]  # member_ids present at the meeting
    conflicted: frozenset[int]  # member_ids with jäv on this item


@dataclass(frozen=True)
class Participation:
    """The outcome for one item: who votes, who replaces whom, and why it may not be decided."""

    voters: tuple[Seat, ...]  # who takes part in (and votes on) this item, ordered by member_id
    stand_ins: dict[int, int]  # substitute member_id -> the ordinary member_id they replace
    left_out: tuple[Seat, ...]  # present members who take no part (jäv, or substitute not needed)
    ordinary_total: int  # all ordinary seats serving
    quorum_needed: int
    votes_by_sector: dict[Sector, int]  # every Sector as a key
    quorate: bool
    dominant: tuple[Sector, ...]  # sectors holding more than the limit of the voters
    problems: tuple[str, ...]  # reasons in the interface language; empty when it may be taken
    rules: DecisionRules  # the area's quorum and balance rule it was worked out under

    @property
    def can_decide(self) -> bool:
        """A decision is valid only when the board is quorate and no sector dominates."""
        return not self.problems

    def share_percent(self, sector: Sector) -> Decimal:
        """The sector's share of the votes for display; the rule itself compares exact counts."""
        return _share(self.votes_by_sector[sector], len(self.voters))


def participation(situation: Situation, rules: DecisionRules = USUAL_RULES) -> Participation:
    """Work out who votes on an item after jäv and check quorum and balance among those voters.

    Ordinary members who are present and without jäv vote. Each absent or conflicted ordinary
    member is replaced by at most one present, unconflicted substitute: their personal substitute
    first, then a free substitute (substitute_for=None) of the same sector. Lowest member_ids are
    matched first so the result is deterministic and does not depend on the order of the seats.
    """
    seats = sorted(situation.seats, key=lambda seat: seat.member_id)
    ids = [seat.member_id for seat in seats]
    if len(set(ids)) != len(ids):
        raise ValueError("Each member can hold only one seat.")

    def available(seat: Seat) -> bool:
        return seat.member_id in situation.present and seat.member_id not in situation.conflicted

    ordinary = [seat for seat in seats if seat.ordinary]
    vacant = [seat for seat in ordinary if not available(seat)]
    substitutes = [seat for seat in seats if not seat.ordinary and available(seat)]

    # Personal substitutes first: they can only ever replace their own member, so letting them go
    # first never takes a place a free substitute could not fill elsewhere.
    replaced: dict[int, int] = {}  # ordinary member_id -> substitute member_id
    vacant_ids = {seat.member_id for seat in vacant}
    for substitute in substitutes:
        target = substitute.substitute_for
        if target is not None and target in vacant_ids and target not in replaced:
            replaced[target] = substitute.member_id
    for substitute in substitutes:
        if substitute.substitute_for is not None:
            continue
        for seat in vacant:
            if seat.sector is substitute.sector and seat.member_id not in replaced:
                replaced[seat.member_id] = substitute.member_id
                break

    stand_ins = dict(sorted((sub, member) for member, sub in replaced.items()))
    voters = tuple(
        seat for seat in seats if (seat.ordinary and available(seat)) or seat.member_id in stand_ins
    )
    voter_ids = {seat.member_id for seat in voters}
    left_out = tuple(
        seat
        for seat in seats
        if seat.member_id in situation.present and seat.member_id not in voter_ids
    )

    ordinary_total = len(ordinary)
    quorum_needed = rules.quorum_needed(ordinary_total)
    quorate = ordinary_total > 0 and len(voters) >= quorum_needed

    votes_by_sector = dict.fromkeys(Sector, 0)
    for seat in voters:
        votes_by_sector[seat.sector] += 1
    dominant = tuple(
        sector for sector in Sector if rules.dominates(votes_by_sector[sector], len(voters))
    )

    problems: list[str] = []
    if not quorate:
        problems.append(
            _(
                "Beslutet kan inte fattas: styrelsen är inte beslutför – {voters} av {total} "
                "ordinarie platser är företrädda, minst {needed} krävs."
            ).format(voters=len(voters), total=ordinary_total, needed=quorum_needed)
        )
    for sector in dominant:
        count = votes_by_sector[sector]
        problems.append(
            _(
                "Beslutet kan inte fattas: {sector} har {count} av {voters} röster ({share})."
            ).format(
                sector=sector.label.lower(),
                count=count,
                voters=len(voters),
                share=format_share(count, len(voters)),
            )
        )

    return Participation(
        voters=voters,
        stand_ins=stand_ins,
        left_out=left_out,
        ordinary_total=ordinary_total,
        quorum_needed=quorum_needed,
        votes_by_sector=votes_by_sector,
        quorate=quorate,
        dominant=dominant,
        problems=tuple(problems),
        rules=rules,
    )


def format_share(numerator: int, denominator: int) -> str:
    """A share for minutes and pages, in the interface language: "60 %", "42,9 %" (no-break
    space before %) in Swedish, "60%", "42.9%" in English.

    A zero denominator gives "0 %", so an item nobody can vote on still renders.
    """
    value = format_decimal(_share(numerator, denominator), "0.#", locale=format_locale())
    return _("{value}\u00a0%").format(value=value)


def _share(numerator: int, denominator: int) -> Decimal:
    """Percentage with one decimal, rounded half up as people expect (not banker's rounding)."""
    if not denominator:
        return Decimal(0).quantize(_ONE_DECIMAL)
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
        _ONE_DECIMAL, rounding=ROUND_HALF_UP
    )
