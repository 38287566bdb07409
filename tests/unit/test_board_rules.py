"""The LAG decision rules: who votes on an item after jäv, quorum and the 49 % balance rule.

Hand-written cases pin the Swedish messages and the typical situations; an exhaustive run over a
small board and random boards from hypothesis compare the rules with a plain oracle written here.
"""

import itertools
import random
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.board.models import Sector
from app.board.rules import (
    DecisionRules,
    Participation,
    Seat,
    Situation,
    format_share,
    participation,
)

PUBLIC, BUSINESS, CIVIL = Sector.PUBLIC, Sector.BUSINESS, Sector.CIVIL_SOCIETY
NBSP = "\u00a0"


def ordinary(member_id: int, sector: Sector) -> Seat:
    return Seat(member_id, f"Ledamot {member_id}", sector, ordinary=True, substitute_for=None)


def substitute(member_id: int, sector: Sector, substitute_for: int | None = None) -> Seat:
    return Seat(
        member_id, f"Ersättare {member_id}", sector, ordinary=False, substitute_for=substitute_for
    )


def situation(
    seats: list[Seat], present: set[int] | None = None, conflicted: set[int] = frozenset()
) -> Situation:
    ids = {seat.member_id for seat in seats}
    return Situation(
        seats=tuple(seats),
        present=frozenset(ids if present is None else present),
        conflicted=frozenset(conflicted),
    )


def ids(seats: tuple[Seat, ...]) -> list[int]:
    return [seat.member_id for seat in seats]


# A 3/3/3 board: public 1–3, business 4–6, civil society 7–9.
BOARD_9 = [ordinary(i, PUBLIC) for i in (1, 2, 3)]
BOARD_9 += [ordinary(i, BUSINESS) for i in (4, 5, 6)]
BOARD_9 += [ordinary(i, CIVIL) for i in (7, 8, 9)]


# --- Hand-written cases ---------------------------------------------------------------------


def test_the_full_board_of_nine_is_quorate_and_balanced() -> None:
    result = participation(situation(BOARD_9))

    assert ids(result.voters) == list(range(1, 10))
    assert result.ordinary_total == 9
    assert result.quorum_needed == 5
    assert result.quorate
    assert result.dominant == ()
    assert result.problems == ()
    assert result.can_decide
    assert result.votes_by_sector == {PUBLIC: 3, BUSINESS: 3, CIVIL: 3}
    assert result.share_percent(PUBLIC) == Decimal("33.3")
    assert result.stand_ins == {}
    assert result.left_out == ()


def test_four_of_nine_present_is_not_quorate() -> None:
    result = participation(situation(BOARD_9, present={1, 4, 5, 7}))

    assert not result.quorate
    assert not result.can_decide
    # Four voters across three sectors always leave one sector with at least half.
    assert result.problems == (
        "Beslutet kan inte fattas: styrelsen är inte beslutför – 4 av 9 ordinarie platser är "
        "företrädda, minst 5 krävs.",
        f"Beslutet kan inte fattas: näringsliv har 2 av 4 röster (50{NBSP}%).",
    )


def test_three_public_of_five_voters_breaks_the_balance() -> None:
    result = participation(situation(BOARD_9, present={1, 2, 3, 4, 7}))

    assert result.quorate
    assert result.dominant == (PUBLIC,)
    assert result.share_percent(PUBLIC) == Decimal("60.0")
    assert result.problems == (
        f"Beslutet kan inte fattas: offentlig sektor har 3 av 5 röster (60{NBSP}%).",
    )
    assert not result.can_decide


def test_jäv_takes_a_member_out_and_the_personal_substitute_steps_in() -> None:
    seats = [
        *BOARD_9,
        substitute(10, PUBLIC),  # free, lower id, but the personal substitute goes first
        substitute(11, PUBLIC, substitute_for=2),
    ]
    result = participation(situation(seats, conflicted={2}))

    assert result.stand_ins == {11: 2}
    assert ids(result.voters) == [1, 3, 4, 5, 6, 7, 8, 9, 11]
    assert ids(result.left_out) == [2, 10]
    assert result.can_decide


def test_without_the_personal_substitute_a_free_one_of_the_same_sector_steps_in() -> None:
    seats = [
        *BOARD_9,
        substitute(10, BUSINESS),  # free, but the wrong sector
        substitute(11, PUBLIC, substitute_for=2),  # personal, but absent
        substitute(12, PUBLIC),
        substitute(13, PUBLIC),
    ]
    present = set(range(1, 14)) - {11}
    result = participation(situation(seats, present=present, conflicted={2}))

    assert result.stand_ins == {12: 2}  # lowest member_id first
    assert ids(result.left_out) == [2, 10, 13]
    assert result.votes_by_sector == {PUBLIC: 3, BUSINESS: 3, CIVIL: 3}


def test_a_substitute_never_stands_in_for_a_present_unconflicted_member() -> None:
    seats = [
        *BOARD_9,
        substitute(10, PUBLIC, substitute_for=1),
        substitute(11, PUBLIC),
        substitute(12, CIVIL, substitute_for=7),
    ]
    result = participation(situation(seats, conflicted={8}))

    # Member 8 has jäv, but 12 is personal substitute for 7 only, and 7 is here.
    assert result.stand_ins == {}
    assert ids(result.voters) == [1, 2, 3, 4, 5, 6, 7, 9]
    assert ids(result.left_out) == [8, 10, 11, 12]


def test_a_substitute_with_jäv_cannot_stand_in() -> None:
    seats = [*BOARD_9, substitute(10, PUBLIC, substitute_for=1), substitute(11, PUBLIC)]
    result = participation(situation(seats, present=set(range(2, 12)), conflicted={10, 11}))

    assert result.stand_ins == {}
    assert ids(result.voters) == [2, 3, 4, 5, 6, 7, 8, 9]
    assert ids(result.left_out) == [10, 11]


def test_an_absent_member_with_jäv_is_not_listed_as_left_out() -> None:
    result = participation(situation(BOARD_9, present=set(range(2, 10)), conflicted={1, 2}))

    assert ids(result.left_out) == [2]
    assert 1 not in ids(result.voters)


def test_each_vacancy_is_filled_once_and_each_substitute_fills_one() -> None:
    seats = [
        *BOARD_9,
        substitute(10, PUBLIC, substitute_for=1),
        substitute(11, PUBLIC, substitute_for=1),
        substitute(12, BUSINESS),
    ]
    result = participation(situation(seats, present={3, 6, 7, 8, 9, 10, 11, 12}))

    assert result.stand_ins == {10: 1, 12: 4}
    assert ids(result.left_out) == [11]


def test_25_of_51_votes_breaks_the_rule_though_it_rounds_to_49_percent() -> None:
    seats = [ordinary(i, PUBLIC) for i in range(1, 26)]
    seats += [ordinary(i, BUSINESS) for i in range(26, 39)]
    seats += [ordinary(i, CIVIL) for i in range(39, 52)]
    result = participation(situation(seats))

    assert result.share_percent(PUBLIC) == Decimal("49.0")
    assert result.dominant == (PUBLIC,)
    assert result.problems == (
        f"Beslutet kan inte fattas: offentlig sektor har 25 av 51 röster (49{NBSP}%).",
    )


def test_exactly_49_percent_is_allowed() -> None:
    seats = [ordinary(i, PUBLIC) for i in range(1, 50)]
    seats += [ordinary(i, BUSINESS) for i in range(50, 76)]
    seats += [ordinary(i, CIVIL) for i in range(76, 101)]

    assert participation(situation(seats)).can_decide


def test_the_limit_can_be_set_per_area() -> None:
    seats = [ordinary(1, PUBLIC), ordinary(2, PUBLIC), ordinary(3, BUSINESS), ordinary(4, CIVIL)]

    assert participation(situation(seats)).dominant == (PUBLIC,)
    assert participation(situation(seats), DecisionRules(balance_limit_percent=50)).can_decide


def test_several_dominant_problems_follow_the_sector_order() -> None:
    seats = [ordinary(1, CIVIL), ordinary(2, PUBLIC)]
    result = participation(situation(seats))

    assert result.quorate
    assert result.dominant == (PUBLIC, CIVIL)
    assert [problem.split(" har ")[0] for problem in result.problems] == [
        "Beslutet kan inte fattas: offentlig sektor",
        "Beslutet kan inte fattas: ideell sektor",
    ]


def test_no_seats_is_never_quorate() -> None:
    result = participation(situation([]))

    assert result.ordinary_total == 0
    assert result.quorum_needed == 1
    assert not result.quorate
    assert result.dominant == ()
    assert result.votes_by_sector == {PUBLIC: 0, BUSINESS: 0, CIVIL: 0}
    assert result.share_percent(PUBLIC) == Decimal(0)
    assert result.problems == (
        "Beslutet kan inte fattas: styrelsen är inte beslutför – 0 av 0 ordinarie platser är "
        "företrädda, minst 1 krävs.",
    )


def test_substitutes_alone_are_never_quorate() -> None:
    result = participation(situation([substitute(1, PUBLIC), substitute(2, BUSINESS)]))

    assert result.voters == ()
    assert not result.can_decide


def test_the_order_of_the_seats_does_not_matter() -> None:
    seats = [*BOARD_9, substitute(10, PUBLIC), substitute(11, PUBLIC, substitute_for=3)]
    given_order = situation(seats, present={2, 3, 5, 6, 8, 10, 11}, conflicted={3})
    reversed_order = situation(seats[::-1], present={2, 3, 5, 6, 8, 10, 11}, conflicted={3})

    assert participation(given_order) == participation(reversed_order)


def test_a_member_cannot_hold_two_seats() -> None:
    with pytest.raises(ValueError, match="one seat"):
        participation(situation([ordinary(1, PUBLIC), substitute(1, PUBLIC)]))


@pytest.mark.parametrize(
    ("numerator", "denominator", "expected"),
    [
        (3, 5, "60 %"),
        (3, 7, "42,9 %"),
        (49, 100, "49 %"),
        (1, 3, "33,3 %"),
        (25, 51, "49 %"),
        (1, 16, "6,3 %"),  # 6.25 rounds half up, not to even
        (5, 5, "100 %"),
        (0, 4, "0 %"),
        (0, 0, "0 %"),
    ],
)
def test_format_share(numerator: int, denominator: int, expected: str) -> None:
    assert format_share(numerator, denominator) == expected.replace(" ", NBSP)


# --- An independent oracle ------------------------------------------------------------------


def oracle(situation: Situation, limit: Fraction = Fraction(49, 100)) -> dict[str, object]:
    """The rules written the plain way: walk the vacancies in member_id order and give each its
    personal substitute if one is free, otherwise the lowest free substitute of its sector."""
    by_id = {seat.member_id: seat for seat in situation.seats}

    def takes_part(member_id: int) -> bool:
        return member_id in situation.present and member_id not in situation.conflicted

    used: set[int] = set()
    stand_ins: dict[int, int] = {}
    for member_id in sorted(by_id):
        member = by_id[member_id]
        if not member.ordinary or takes_part(member_id):
            continue
        candidates = [
            seat.member_id
            for seat in by_id.values()
            if not seat.ordinary and takes_part(seat.member_id) and seat.member_id not in used
        ]
        personal = [c for c in candidates if by_id[c].substitute_for == member_id]
        free = [
            c
            for c in candidates
            if by_id[c].substitute_for is None and by_id[c].sector == member.sector
        ]
        # A personal substitute can serve no one else, so spending one on its own member is
        # always right; a free one is kept for later only if this member has a personal one.
        chosen = min(personal) if personal else (min(free) if free else None)
        if chosen is not None:
            used.add(chosen)
            stand_ins[chosen] = member_id

    voter_ids = sorted(
        [i for i, seat in by_id.items() if seat.ordinary and takes_part(i)] + list(stand_ins)
    )
    ordinary_total = sum(1 for seat in by_id.values() if seat.ordinary)
    counts = {sector: 0 for sector in Sector}
    for i in voter_ids:
        counts[by_id[i].sector] += 1
    quorate = 2 * len(voter_ids) > ordinary_total
    dominant = [s for s in Sector if voter_ids and Fraction(counts[s], len(voter_ids)) > limit]
    return {
        "voters": voter_ids,
        "stand_ins": dict(sorted(stand_ins.items())),
        "left_out": sorted(i for i in situation.present & set(by_id) if i not in voter_ids),
        "votes_by_sector": counts,
        "quorate": quorate,
        "dominant": dominant,
        "can_decide": quorate and not dominant,
    }


def observed(result: Participation) -> dict[str, object]:
    return {
        "voters": ids(result.voters),
        "stand_ins": result.stand_ins,
        "left_out": ids(result.left_out),
        "votes_by_sector": result.votes_by_sector,
        "quorate": result.quorate,
        "dominant": list(result.dominant),
        "can_decide": result.can_decide,
    }


def assert_invariants(situation: Situation, result: Participation) -> None:
    by_id = {seat.member_id: seat for seat in situation.seats}
    ordinary_total = sum(1 for seat in situation.seats if seat.ordinary)
    voters = ids(result.voters)

    # (a) can decide exactly when quorate and balanced, worked out from the voters alone.
    quorate = ordinary_total > 0 and 2 * len(voters) > ordinary_total
    counts = [sum(1 for v in result.voters if v.sector is s) for s in Sector]
    balanced = not voters or all(Fraction(c, len(voters)) <= Fraction(49, 100) for c in counts)
    assert result.quorate == quorate
    assert result.can_decide == (quorate and balanced)
    assert bool(result.problems) == (not result.can_decide)
    assert len(result.problems) == (not quorate) + len(result.dominant)

    # (b) every voter is present and free of jäv; voters and left_out split those present.
    assert voters == sorted(set(voters))
    assert all(v in situation.present and v not in situation.conflicted for v in voters)
    assert sorted(voters + ids(result.left_out)) == sorted(situation.present & set(by_id))
    assert all(by_id[i].ordinary or i in result.stand_ins for i in voters)

    # (c) a stand-in replaces one absent or conflicted ordinary member: its own, or of its sector.
    assert len(set(result.stand_ins.values())) == len(result.stand_ins)
    for sub_id, member_id in result.stand_ins.items():
        sub, member = by_id[sub_id], by_id[member_id]
        assert not sub.ordinary and member.ordinary
        assert member_id not in situation.present or member_id in situation.conflicted
        assert sub.substitute_for == member_id or (
            sub.substitute_for is None and sub.sector is member.sector
        )
    # ...and no one who could still help is left out while a seat stays empty.
    empty = [
        seat
        for seat in situation.seats
        if seat.ordinary
        and seat.member_id not in voters
        and seat.member_id not in result.stand_ins.values()
    ]
    for idle in result.left_out:
        if not idle.ordinary and idle.member_id not in situation.conflicted:
            assert all(
                idle.substitute_for != seat.member_id
                and not (idle.substitute_for is None and idle.sector is seat.sector)
                for seat in empty
            )

    # (d) never more voters than ordinary seats; (e) the sector counts add up.
    assert len(voters) <= ordinary_total == result.ordinary_total
    assert result.quorum_needed == ordinary_total // 2 + 1
    assert set(result.votes_by_sector) == set(Sector)
    assert sum(result.votes_by_sector.values()) == len(voters)


# --- Exhaustive: every presence × jäv on a small board --------------------------------------

# 2/2/2 ordinary members (1–6) and a substitute in every sector: public has a personal one for
# member 1 and a free one competing for the same places, business a free one, civil society a
# personal one for member 5.
SMALL_BOARD = (
    ordinary(1, PUBLIC),
    ordinary(2, PUBLIC),
    ordinary(3, BUSINESS),
    ordinary(4, BUSINESS),
    ordinary(5, CIVIL),
    ordinary(6, CIVIL),
    substitute(7, PUBLIC, substitute_for=1),
    substitute(8, PUBLIC),
    substitute(9, BUSINESS),
    substitute(10, CIVIL, substitute_for=5),
)


def test_every_presence_and_jäv_on_a_small_board_matches_the_oracle() -> None:
    """Each seat is absent, present, or present with jäv (3^10 cases). Jäv on an absent member
    must change nothing, which is checked on every case rather than enumerated (4^10 would be
    slow for no extra coverage)."""
    member_ids = [seat.member_id for seat in SMALL_BOARD]
    absent, present, conflicted = range(3)
    decidable = 0
    cases = 0
    for states in itertools.product((absent, present, conflicted), repeat=len(member_ids)):
        here = frozenset(i for i, state in zip(member_ids, states, strict=True) if state)
        jäv = frozenset(i for i, state in zip(member_ids, states, strict=True) if state == 2)
        case = Situation(seats=SMALL_BOARD, present=here, conflicted=jäv)
        result = participation(case)
        assert observed(result) == oracle(case), states
        assert_invariants(case, result)
        everyone_absent_has_jäv = Situation(SMALL_BOARD, here, jäv | (set(member_ids) - here))
        assert participation(everyone_absent_has_jäv) == result, states
        decidable += result.can_decide
        cases += 1
    assert cases == 3 ** len(member_ids)
    assert 0 < decidable < cases


# --- Property-based: random boards ----------------------------------------------------------


@st.composite
def situations(draw: st.DrawFn) -> Situation:
    ordinary_count = draw(st.integers(min_value=1, max_value=15))
    substitute_count = draw(st.integers(min_value=0, max_value=10))
    total = ordinary_count + substitute_count
    member_ids = draw(st.permutations(range(1, total + 1)))  # seats and ids interleave
    sectors = st.sampled_from(list(Sector))
    seats = [ordinary(member_ids[i], draw(sectors)) for i in range(ordinary_count)]
    ordinary_ids = [seat.member_id for seat in seats]
    for i in range(ordinary_count, total):
        # Personal for some ordinary member (any sector), free, or a stale link to no one.
        link = draw(st.one_of(st.none(), st.sampled_from(ordinary_ids), st.just(999)))
        seats.append(substitute(member_ids[i], draw(sectors), substitute_for=link))
    seats = draw(st.permutations(seats))
    everyone = sorted(member_ids)
    present = draw(st.sets(st.sampled_from(everyone)))
    conflicted = draw(st.sets(st.sampled_from(everyone)))
    return Situation(
        seats=tuple(seats), present=frozenset(present), conflicted=frozenset(conflicted)
    )


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(situations())
def test_random_boards_keep_the_rules(case: Situation) -> None:
    result = participation(case)

    assert_invariants(case, result)
    assert observed(result) == oracle(case)
    shuffled = list(case.seats)
    random.Random(0).shuffle(shuffled)
    assert participation(Situation(tuple(shuffled), case.present, case.conflicted)) == result
