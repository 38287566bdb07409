"""A deterministic, realistic data set for the benchmarks, on PostgreSQL (COPY) or SQLite.

Default scale (``--scale 1``): 40 areas, 100 000 applications of both kinds in every state,
1 000 000 ledger entries, 2 000 000 audit events, attachments as metadata only, plus what the
pages around them read (organisations, cost and financing lines, komplettering requests, notes,
decisions, outbox messages, LAG meetings with agendas, final reports, the operation plan).
``--scale 0.1`` keeps the 40 areas and scales every per-area row count by 1/10, so the data
*per area* — what a page reads — grows tenfold between the two scales.

    .venv/bin/python -m bench.generate --db postgresql --scale 0.1
    .venv/bin/python -m bench.generate --db sqlite --scale 1 --force

The schema comes from the Alembic migrations. Rows are produced in Python from one seeded
``random.Random`` per table (same scale → same rows), written with COPY on PostgreSQL and
``executemany`` in 20 000-row batches on SQLite. During the load only, triggers are off
(PostgreSQL: ``session_replication_role = replica``, which also skips the per-row foreign-key
checks; SQLite: the ledger-totals trigger is dropped and re-created), and ``ledger_totals`` is
then filled with the same GROUP BY as its migration. Indexes stay in place: with them the load
is still minutes (see docs/benchmarks.md). A ``bench_info`` table records the scale, so a run
can reuse a database generated before (``ensure``).
"""

import argparse
import hashlib
import json
import os
import random
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from app.auth.service import hash_password
from app.config import PROJECT_ROOT
from tests import databases

# Bump when the data set changes shape: an older database is then regenerated, not reused.
GENERATOR_VERSION = "1"
SEED = 20261125
PG_ADMIN_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
PASSWORD = "bench-password-2026"  # noqa: S105 - a throwaway benchmark database's staff logins
AREAS = 40
# Per area at scale 1.
APPLICATIONS_PER_AREA = 2_500
LEDGER_PER_AREA = 25_000
AUDIT_PER_AREA = 50_000
ORGANISATIONS_PER_AREA = 300
HANDLERS_PER_AREA = 6
BOARD_SEATS = 12  # nine ordinary members and three substitutes
AGENDA_SIZE = 10  # items on the upcoming LAG meeting (what the meeting page shows)
KR = 100
EPOCH_START = int(datetime(2023, 3, 1, tzinfo=UTC).timestamp())
DATA_END = int(datetime(2026, 11, 20, tzinfo=UTC).timestamp())
DAY = 86_400

STATUS_WEIGHTS = {
    "draft": 6, "submitted": 7, "in_review": 10, "awaiting_information": 4,
    "ready_for_decision": 5, "on_agenda": 1, "prioritised": 3, "approved": 10,
    "partly_approved": 3, "rejected": 8, "payment": 12, "final_report": 5, "closed": 23,
    "withdrawn": 3,
}  # fmt: skip
GRANTED = {"approved", "partly_approved", "payment", "final_report", "closed"}
DECIDED = GRANTED | {"rejected", "prioritised"}
PAYING = {"payment", "final_report", "closed"}
# The workflow's steps to each state (action, from, to), for the audit trail.
_PATH = {
    "submitted": ["submit"],
    "in_review": ["submit", "start_review"],
    "awaiting_information": ["submit", "start_review", "request_information"],
    "ready_for_decision": ["submit", "start_review", "ready_for_decision"],
    "on_agenda": ["submit", "start_review", "ready_for_decision", "put_on_agenda"],
    "prioritised": ["submit", "start_review", "ready_for_decision", "put_on_agenda", "prioritise"],
    "approved": ["submit", "start_review", "ready_for_decision", "approve"],
    "partly_approved": ["submit", "start_review", "ready_for_decision", "approve_partly"],
    "rejected": ["submit", "start_review", "ready_for_decision", "reject"],
    "payment": ["submit", "start_review", "ready_for_decision", "approve", "claim_payment"],
    "final_report": ["submit", "start_review", "ready_for_decision", "approve", "claim_payment",
                     "final_report"],
    "closed": ["submit", "start_review", "ready_for_decision", "approve", "claim_payment",
               "final_report", "close"],
    "withdrawn": ["submit", "start_review", "withdraw"],
}  # fmt: skip
_TARGET = {
    "submit": "submitted", "start_review": "in_review",
    "request_information": "awaiting_information", "ready_for_decision": "ready_for_decision",
    "put_on_agenda": "on_agenda", "prioritise": "prioritised", "approve": "approved",
    "approve_partly": "partly_approved", "reject": "rejected", "claim_payment": "payment",
    "final_report": "final_report", "close": "closed", "withdraw": "withdrawn",
}  # fmt: skip
WORDS = ("Bygdegård", "Fiber", "Hembygd", "Kulturarv", "Naturstig", "Ungdom", "Krisberedskap",
         "Mötesplats", "Badplats", "Lekplats", "Turism", "Matkultur", "Skidspår", "Byaväg",
         "Laddstolpe", "Företagsnätverk", "Integration", "Konstrunda", "Friluftsliv",
         "Hantverk")  # fmt: skip
PLACES = ("Stjärnhov", "Ärla", "Malmköping", "Björnlunda", "Gnesta", "Mellösa", "Hälleforsnäs",
          "Sparreholm", "Flen", "Vingåker", "Katrineholm", "Julita", "Läggesta",
          "Trosa")  # fmt: skip
FIRST = ("Eva", "Anna", "Maria", "Karin", "Sara", "Lena", "Per", "Lars", "Nils", "Erik",
         "Ahmed", "Fatima", "Olle", "Jonas", "Ingrid", "Björn")  # fmt: skip
LAST = ("Ek", "Lind", "Berg", "Holm", "Strand", "Dahl", "Nyström", "Sjöberg", "Åkesson",
        "Öberg", "Karlsson", "Yilmaz")  # fmt: skip


def _weighted_statuses() -> list[str]:
    return [s for s, weight in STATUS_WEIGHTS.items() for _ in range(weight)]


def luhn(digits: str) -> str:
    total = 0
    for index, char in enumerate(digits):
        value = int(char) * (2 - index % 2)
        total += value - 9 if value > 9 else value
    return digits + str((10 - total % 10) % 10)


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


@dataclass(slots=True)
class Area:
    id: int
    code: str
    period_id: int
    action_area_ids: list[int]
    criterion_ids: list[int]
    umbrella_ids: list[int]  # the first is the open call
    organisation_ids: list[int]
    org_names: dict[int, str]
    user_ids: dict[str, int]  # "handler1".., "manager", "lag_chair", "lag_member", "admin"
    member_ids: list[int] = field(default_factory=list)


@dataclass(slots=True)
class App:
    id: int
    area: Area
    kind: str
    status: str
    created: int
    submitted: int | None
    decided: int | None
    changed: int
    requested: int
    granted: int | None
    action_area_id: int
    umbrella_id: int | None
    organisation_id: int
    handler_id: int | None
    reference: str | None
    year: int


@dataclass
class Plan:
    """Everything the row generators share: ids chosen up front so references line up."""

    scale: float
    areas: list[Area]
    apps: list[App]
    password_hash: str
    next_id: dict[str, int] = field(default_factory=dict)

    def ids(self, table: str, count: int) -> range:
        start = self.next_id.get(table, 1)
        self.next_id[table] = start + count
        return range(start, start + count)

    def per_area(self, count: int) -> int:
        return max(1, round(count * self.scale))


def _date(epoch: int) -> date:
    return datetime.fromtimestamp(epoch, UTC).date()


def _ts(rng: random.Random, start: int, end: int) -> int:
    return rng.randint(start, max(start, end))


def build_plan(scale: float) -> Plan:
    rng = random.Random(SEED)
    plan = Plan(scale, [], [], hash_password(PASSWORD))
    statuses = _weighted_statuses()
    counters: dict[tuple[int, str, int], int] = {}
    for number in range(1, AREAS + 1):
        area_id = plan.ids("areas", 1)[0]
        orgs = list(plan.ids("organisations", plan.per_area(ORGANISATIONS_PER_AREA)))
        roles = [f"handler{n}" for n in range(1, HANDLERS_PER_AREA + 1)]
        roles += ["manager", "lag_chair", "lag_member", "admin"]
        area = Area(
            id=area_id, code=f"area{number:02d}", period_id=plan.ids("programme_periods", 1)[0],
            action_area_ids=list(plan.ids("action_areas", 4)),
            criterion_ids=list(plan.ids("selection_criteria", 5)),
            umbrella_ids=list(plan.ids("umbrella_projects", 3)), organisation_ids=orgs,
            org_names={o: f"{rng.choice(WORDS)}föreningen i {rng.choice(PLACES)} {o}"
                       for o in orgs},
            user_ids=dict(zip(roles, plan.ids("users", len(roles)), strict=True)),
        )  # fmt: skip
        area.member_ids = list(plan.ids("board_members", BOARD_SEATS))
        plan.areas.append(area)
        handlers = [area.user_ids[f"handler{n}"] for n in range(1, HANDLERS_PER_AREA + 1)]
        for app_id in plan.ids("applications", plan.per_area(APPLICATIONS_PER_AREA)):
            kind = "smastod" if rng.random() < 0.6 else "leader_project"
            status = rng.choice(statuses)
            if status == "prioritised" and kind == "smastod":
                status = "approved"
            created = _ts(rng, EPOCH_START, DATA_END - 30 * DAY)
            submitted = None if status == "draft" else created + rng.randint(DAY, 20 * DAY)
            decided = (submitted + rng.randint(20 * DAY, 90 * DAY)
                       if status in DECIDED and submitted else None)  # fmt: skip
            changed = min(DATA_END, (decided or submitted or created) + rng.randint(0, 60 * DAY))
            if kind == "smastod":
                requested = rng.randint(10, 50) * 1000 * KR
                umbrella = area.umbrella_ids[rng.randrange(3)]
                action_area = area.action_area_ids[0]
            else:
                requested = rng.randint(20, 300) * 10_000 * KR
                umbrella = None
                action_area = rng.choice(area.action_area_ids)
            granted = None
            if status in GRANTED or status == "prioritised":
                granted = requested if status != "partly_approved" else requested * 3 // 4
            reference, year = None, 0
            if submitted:
                year = datetime.fromtimestamp(submitted, UTC).year
                prefix = "SMÅ" if kind == "smastod" else "PRJ"
                key = (area_id, prefix, year)
                counters[key] = counters.get(key, 0) + 1
                reference = f"{prefix}-{year}-{counters[key]:04d}"
            plan.apps.append(App(
                app_id, area, kind, status, created, submitted, decided, changed, requested,
                granted, action_area, umbrella, rng.choice(orgs),
                rng.choice(handlers) if submitted and rng.random() < 0.85 else None,
                reference, year,
            ))  # fmt: skip
    plan.counters = counters  # type: ignore[attr-defined]
    return plan


# --- Row generators: (table, columns, rows) ------------------------------------------------

Rows = Iterable[Sequence[Any]]
# Column types: i int, s text, t timestamp (epoch seconds), d date, j JSON, b bool.
Table = tuple[str, str, str, Callable[[], Rows]]


def _small_tables(plan: Plan) -> list[Table]:
    rng = random.Random(SEED + 1)
    now = DATA_END
    opens = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
    # The open call stays open long after generation, so a reused database still takes drafts.
    closes = int(datetime(2030, 6, 30, tzinfo=UTC).timestamp())

    def areas() -> Rows:
        for a in plan.areas:
            yield a.id, a.code, f"Leader {a.code.title()}"

    def periods() -> Rows:
        for a in plan.areas:
            yield (a.period_id, a.id, "2023–2027", date(2023, 1, 1), date(2027, 12, 31), 75,
                   date(2026, 12, 31), 650, 340 * KR, 77 * KR, 50, 25_000_000)  # fmt: skip

    def action_areas() -> Rows:
        names = ("Bo & Leva", "Företagande", "Natur & Kultur", "Beredskap")
        for a in plan.areas:
            for index, aa in enumerate(a.action_area_ids):
                yield aa, a.id, a.period_id, str(index + 1), names[index], 4_000_000 * KR, None

    def criteria() -> Rows:
        names = ("Lokal förankring", "Innovation", "Hållbarhet", "Samverkan", "Jämställdhet")
        for a in plan.areas:
            for index, c in enumerate(a.criterion_ids):
                yield c, a.id, a.period_id, index + 1, names[index], "", index % 3 + 1, 5

    def umbrellas() -> Rows:
        for a in plan.areas:
            for index, u in enumerate(a.umbrella_ids):
                is_open = index == 0
                name = ("Beredskap", "Ungdomspeng", "Kulturstöd")[index]
                yield (u, a.id, a.action_area_ids[0], name,
                       "Småstöd för föreningar i bygden.", 20_000_000 * KR, 10_000 * KR,
                       50_000 * KR, 50, 6, opens if is_open else EPOCH_START,
                       closes if is_open else opens - DAY, '["ideell_forening"]', "[]",
                       "office", 30_000 * KR)  # fmt: skip

    def organisations() -> Rows:
        for a in plan.areas:
            for o in a.organisation_ids:
                yield (o, a.id, a.org_names[o], luhn(f"802{o:06d}"), "ideell_forening",
                       f"{5000 + o % 4000:04d}{o % 10000:04d}", None, "Bygdevägen 1", "642 91",
                       rng.choice(PLACES), _name(rng), f"kontakt{o}@example.se", "070-1234567",
                       EPOCH_START)  # fmt: skip

    def users() -> Rows:
        for a in plan.areas:
            for role, u in a.user_ids.items():
                yield (u, a.id, f"{role}@{a.code}.bench", f"{_name(rng)} ({role})",
                       plan.password_hash, True, EPOCH_START)  # fmt: skip

    def user_roles() -> Rows:
        for a in plan.areas:
            for role, u in a.user_ids.items():
                yield u, "handler" if role.startswith("handler") else role

    def board_members() -> Rows:
        seats = [("civil_society", "chair", "lag_chair"), ("public", "vice_chair", "lag_member")]
        seats += [
            (s, "member", None)
            for s in (
                "civil_society",
                "civil_society",
                "public",
                "public",
                "business",
                "business",
                "business",
            )
        ]
        seats += [(s, "substitute", None) for s in ("civil_society", "public", "business")]
        for a in plan.areas:
            for m, (sector, role, login) in zip(a.member_ids, seats, strict=True):
                yield (m, a.id, a.user_ids[login] if login else None, _name(rng), "",
                       sector, role, date(2025, 1, 1), None, None)  # fmt: skip

    def goals() -> Rows:
        for a in plan.areas:
            for position in (1, 2):
                yield a.id * 10 + position, a.id, 2026, position, f"Mål {position} för {a.code}"

    def activities() -> Rows:
        for a in plan.areas:
            for position in (1, 2):
                for act in (1, 2, 3):
                    yield ((a.id * 10 + position) * 10 + act, a.id * 10 + position, act,
                           f"Aktivitet {act}", 10 + act, "träffar")  # fmt: skip

    def progress() -> Rows:
        ids = iter(range(1, 10**7))
        for a in plan.areas:
            for position in (1, 2):
                for act in (1, 2, 3):
                    for month in range(1, 11):
                        yield (next(ids), (a.id * 10 + position) * 10 + act, 1,
                               date(2026, month, 15), "", "Kansliet", now)  # fmt: skip

    def counters() -> Rows:
        for (area_id, prefix, year), value in sorted(plan.counters.items()):  # type: ignore[attr-defined]
            yield area_id, prefix, year, value

    return [
        ("areas", "id code name", "iss", areas),
        ("programme_periods", "id area_id name starts_on ends_on uptake_target_percent "
         "uptake_target_date pass_threshold_points volunteer_rate_adult_ore "
         "volunteer_rate_youth_ore advance_cap_percent advance_cap_ore", "iisddidiiiii", periods),
        ("action_areas", "id area_id period_id code name budget_frame_ore pass_threshold_points",
         "iiissii", action_areas),
        ("selection_criteria", "id area_id period_id position name description weight max_points",
         "iiiissii", criteria),
        ("umbrella_projects", "id area_id action_area_id name description pot_ore min_grant_ore "
         "max_grant_ore volunteer_match_percent max_project_months call_opens_at call_closes_at "
         "eligible_legal_forms required_attachments decision_body delegation_limit_ore",
         "iiissiiiiittjjsi", umbrellas),
        ("organisations", "id area_id name org_number legal_form bankgiro plusgiro street_address "
         "postal_code city contact_name contact_email contact_phone created_at",
         "iissssssssssst", organisations),
        ("users", "id area_id email full_name password_hash is_active created_at", "iisssbt",
         users),
        ("user_roles", "user_id role", "is", user_roles),
        ("board_members", "id area_id user_id full_name represents sector role term_start "
         "term_end substitute_for_id", "iiissssddi", board_members),
        ("operation_goals", "id area_id year position title", "iiiis", goals),
        ("operation_activities", "id goal_id position title target_count unit", "iiisis",
         activities),
        ("activity_progress", "id activity_id count done_on note recorded_by_name recorded_at",
         "iiidsst", progress),
        ("reference_counters", "area_id prefix year last_value", "isii", counters),
    ]  # fmt: skip


def _application_tables(plan: Plan) -> list[Table]:
    def applications() -> Rows:
        rng = random.Random(SEED + 2)
        for a in plan.apps:
            org = a.area.org_names[a.organisation_id]
            start = _date(a.submitted or a.created) + timedelta(days=30)
            draft = '{"project": {"title": "Utkast"}}' if a.status == "draft" else None
            yield (a.id, a.area.id, a.kind, a.reference,
                   f"{rng.choice(WORDS)} i {rng.choice(PLACES)}",
                   "Vi vill utveckla bygden tillsammans.", "Fler mötesplatser.",
                   a.action_area_id, a.umbrella_id, a.organisation_id, _name(rng),
                   f"kontakt{a.organisation_id}@example.se", "070-1234567", a.requested,
                   a.granted, start, start + timedelta(days=150), a.status, a.changed,
                   a.handler_id, a.created, a.submitted, a.decided, 1, draft,
                   a.submitted, "2026-11" if a.submitted else None, org,
                   "50501055" if a.submitted else None, a.changed)  # fmt: skip

    def cost_lines() -> Rows:
        ids = iter(range(1, 10**9))
        for a in plan.apps:
            total = a.requested + (a.requested // 2 if a.kind == "smastod" else 0)
            yield next(ids), a.id, 1, "Material och inköp", total - total // 3
            yield next(ids), a.id, 2, "Arbete", total // 3

    def financing_lines() -> Rows:
        ids = iter(range(1, 10**9))
        rate = 340 * KR
        for a in plan.apps:
            yield (next(ids), a.id, 1, "leader_support", "", a.requested, None, None, None, None)
            if a.kind == "smastod":
                hours = a.requested // 2 // rate + 1
                yield (next(ids), a.id, 2, "volunteer_work", "", hours * rate, hours, rate, 3, 2)

    def attachments() -> Rows:
        ids = iter(range(1, 10**9))
        for a in plan.apps:
            if a.submitted is None:
                continue
            for label, name in (("Budget", "budget.pdf"), ("Styrelsebeslut", "protokoll.pdf")):
                attachment_id = next(ids)
                yield (attachment_id, a.area.id, a.id, label, name, f"{attachment_id:032x}",
                       "application/pdf", 40_000 + attachment_id % 90_000,
                       hashlib.sha256(str(attachment_id).encode()).hexdigest(), a.submitted,
                       "Sökande")  # fmt: skip

    def information_requests() -> Rows:
        ids = iter(range(1, 10**9))
        for a in plan.apps:
            if a.status == "awaiting_information" or (a.submitted and a.id % 10 == 0):
                answered = None if a.status == "awaiting_information" else a.submitted + 9 * DAY
                yield (next(ids), a.area.id, a.id, "Vi behöver en offert för inköpen.",
                       _date(a.changed) + timedelta(days=14),
                       a.handler_id, a.changed if answered is None else a.submitted + 2 * DAY,
                       "Här är offerten." if answered else None, answered)  # fmt: skip

    def case_notes() -> Rows:
        ids = iter(range(1, 10**9))
        for a in plan.apps:
            if a.submitted:
                yield (next(ids), a.area.id, a.id, a.handler_id, "Handläggare",
                       "Ringde sökanden om budgeten.", a.submitted + 3 * DAY)  # fmt: skip

    def decisions() -> Rows:
        ids = iter(range(1, 10**9))
        for a in plan.apps:
            if a.decided and a.status != "prioritised":
                outcome = "approved"
                if a.status in ("rejected", "partly_approved"):
                    outcome = a.status
                yield (next(ids), a.area.id, a.id, "office" if a.kind == "smastod" else "authority",
                       outcome, None if outcome == "rejected" else a.granted,
                       "Projektet uppfyller kriterierna.", _date(a.decided), None,
                       a.handler_id, "Handläggare", a.decided,
                       "<p>Beslut</p>")  # fmt: skip

    def outbox() -> Rows:
        ids = iter(range(1, 10**9))
        for a in plan.apps:
            if a.submitted:
                yield (next(ids), a.area.id, a.id, "receipt",
                       f"kontakt{a.organisation_id}@example.se",
                       f"Vi har tagit emot er ansökan {a.reference}", "Tack för er ansökan.",
                       a.submitted, a.submitted, a.submitted, 1)  # fmt: skip

    def final_reports() -> Rows:
        ids = iter(range(1, 10**9))
        for a in plan.apps:
            if a.status in ("final_report", "closed"):
                jobs = 50 if a.kind == "leader_project" else 0
                yield (next(ids), a.area.id, a.id, "Projektet genomfördes.", 12, 9,
                       120, 2, jobs, a.id % 2, a.changed)  # fmt: skip

    def score_proposals() -> Rows:
        ids = iter(range(1, 10**9))
        for a in plan.apps:
            if a.status in ("ready_for_decision", "on_agenda", "prioritised"):
                for c in a.area.criterion_ids:
                    yield (
                        next(ids),
                        a.area.id,
                        a.id,
                        c,
                        3 + (a.id + c) % 3,
                        "",
                        a.handler_id,
                        a.changed,
                    )

    return [
        ("applications", "id area_id kind reference title description expected_results "
         "action_area_id umbrella_project_id organisation_id contact_name contact_email "
         "contact_phone requested_ore granted_ore project_start project_end status "
         "status_changed_at assigned_handler_id created_at submitted_at decided_at version "
         "draft_form consent_at consent_text_version applicant_name bankgiro updated_at",
         _APP_TYPES, applications),
        ("cost_lines", "id application_id position description amount_ore", "iiisi", cost_lines),
        ("financing_lines", "id application_id position kind description amount_ore "
         "volunteer_hours volunteer_rate_ore volunteer_women volunteer_men", "iiissiiiii",
         financing_lines),
        ("attachments", "id area_id application_id label original_filename stored_name "
         "content_type size_bytes sha256 uploaded_at uploaded_by", "iiissssists", attachments),
        ("information_requests", "id area_id application_id message deadline "
         "requested_by_user_id requested_at answer_text answered_at", "iiisditst",
         information_requests),
        ("case_notes", "id area_id application_id author_user_id author_name body created_at",
         "iiiisst", case_notes),
        ("decisions", "id area_id application_id body outcome amount_ore motivation decided_on "
         "external_reference decided_by_user_id decided_by_name decided_at letter_html",
         "iiissisdsists", decisions),
        ("outbox_messages", "id area_id application_id kind to_address subject body_text "
         "created_at send_after sent_at attempts", "iiissssttti", outbox),
        ("final_reports", "id area_id application_id summary participants_women participants_men "
         "volunteer_hours new_activities jobs_created_hundredths businesses_started submitted_at",
         "iiisiiiiiit", final_reports),
        ("score_proposals", "id area_id application_id criterion_id points justification "
         "proposed_by_user_id proposed_at", "iiiiisit", score_proposals),
    ]  # fmt: skip


# id area kind ref title descr results aa umb org cname cemail cphone req granted pstart pend
# status changed handler created submitted decided version draft consent_at consent_v
# applicant_name bankgiro updated_at
_APP_TYPES = "iisssssiiisssiiddstitttijtssst"


def ledger_rows(plan: Plan) -> Iterator[tuple[Any, ...]]:
    """The ledger: one allocation per period, a reservation or commitment per granted
    application, releases on closing, and part payments for the rest of the count. Also replayed
    by the audit generator (one audit event per entry, as ``ledger.record_entry`` writes)."""
    rng = random.Random(SEED + 3)
    entry_id = 0
    by_area: dict[int, list[App]] = {}
    for a in plan.apps:
        by_area.setdefault(a.area.id, []).append(a)
    per_area = plan.per_area(LEDGER_PER_AREA)
    for area in plan.areas:
        apps = by_area[area.id]
        rows: list[tuple[Any, ...]] = [
            (
                area.id,
                area.period_id,
                "allocation",
                None,
                42_000_000 * KR,
                None,
                None,
                None,
                area.user_ids["manager"],
                EPOCH_START,
                "Tilldelning",
            )
        ]
        paying = [a for a in apps if a.status in PAYING and a.granted]
        for a in apps:
            if not a.granted or not a.decided:
                continue
            kind = "reservation" if a.status == "prioritised" else "commitment"
            rows.append((area.id, area.period_id, kind, None, a.granted, a.action_area_id,
                         a.umbrella_id, a.id, a.handler_id, a.decided, "Beslut"))  # fmt: skip
            if a.status == "closed":
                rows.append((area.id, area.period_id, "release", "commitment", a.granted // 10,
                             a.action_area_id, a.umbrella_id, a.id, a.handler_id, a.changed,
                             "Avslutat, outnyttjat belopp frigjort"))  # fmt: skip
        payments = max(0, per_area - len(rows))
        share = -(-payments // max(1, len(paying)))
        for n in range(payments):
            a = paying[n % len(paying)] if paying else None
            if a is None or a.decided is None:
                break
            amount = max(1, a.granted // (share + 12))  # type: ignore[operator]
            rows.append((area.id, area.period_id, "payment", None, amount, a.action_area_id,
                         a.umbrella_id, a.id, a.handler_id,
                         _ts(rng, a.decided, min(DATA_END, a.decided + 400 * DAY)),
                         "Delutbetalning"))  # fmt: skip
        for row in rows:
            entry_id += 1
            yield (entry_id, *row)


def _ledger_table(plan: Plan) -> Table:
    return ("ledger_entries", "id area_id period_id kind released_kind amount_ore action_area_id "
            "umbrella_project_id application_id actor_user_id recorded_at reason",
            "iiissiiiiits", lambda: ledger_rows(plan))  # fmt: skip


def _audit_table(plan: Plan) -> Table:
    status_changes: dict[tuple[str, str], str] = {}

    def changes(before: str, after: str) -> str:
        key = (before, after)
        if key not in status_changes:
            status_changes[key] = json.dumps({"status": [before, after]})
        return status_changes[key]

    def rows() -> Rows:
        rng = random.Random(SEED + 4)
        ids = iter(range(1, 10**9))
        target = plan.per_area(AUDIT_PER_AREA) * len(plan.areas)
        written = 0
        # One event per ledger entry.
        for entry in ledger_rows(plan):
            written += 1
            yield (next(ids), entry[1], entry[10], entry[9], "Kansliet", "ledger_entry", entry[0],
                   "created", f"{entry[3]} {entry[5] // KR} kr", None, None)  # fmt: skip
        attachment_id = 0
        for a in plan.apps:
            area = a.area.id
            yield (next(ids), area, a.created, None, "Sökande", "application", a.id,
                   "draft_started" if a.kind == "smastod" else "created", "Ett utkast påbörjades",
                   None, None)  # fmt: skip
            written += 1
            if a.submitted is None:
                continue
            for _label in (1, 2):
                attachment_id += 1
                yield (next(ids), area, a.submitted, None, "Sökande", "attachment",
                       attachment_id, "upload", "Bilaga uppladdad", None, None)  # fmt: skip
                written += 1
            before, at = "draft", a.submitted
            for action in _PATH.get(a.status, ()):
                after = _TARGET[action]
                if action == "submit" and a.kind == "leader_project":
                    action = "register"
                yield (next(ids), area, at, a.handler_id if action != "submit" else None,
                       "Handläggare" if action != "submit" else "Sökande", "application", a.id,
                       action, f"Status: {after}", changes(before, after), None)  # fmt: skip
                written += 1
                before, at = after, min(DATA_END, at + rng.randint(DAY, 20 * DAY))
            if a.handler_id:
                yield (next(ids), area, a.submitted + DAY, a.area.user_ids["manager"],
                       "Verksamhetsledare", "application", a.id, "assigned", "Tilldelad",
                       None, None)  # fmt: skip
                written += 1
        # The rest: staff logins and notes, spread over the areas and the years.
        apps = plan.apps
        while written < target:
            a = apps[rng.randrange(len(apps))]
            when = _ts(rng, a.created, DATA_END)
            if written % 2:
                user = a.area.user_ids[f"handler{1 + written % HANDLERS_PER_AREA}"]
                yield (next(ids), a.area.id, when, user, "Handläggare", "user", user, "login",
                       "Inloggning", None, None)  # fmt: skip
            else:
                yield (next(ids), a.area.id, when, a.handler_id, "Handläggare", "application",
                       a.id, "note_added", "Intern anteckning", None, None)  # fmt: skip
            written += 1

    return ("audit_events", "id area_id occurred_at actor_user_id actor_label entity_type "
            "entity_id action summary changes reason", "iitississjs", rows)  # fmt: skip


def _meeting_tables(plan: Plan) -> list[Table]:
    """Per area: ten adjusted meetings with decided items, and the upcoming meeting whose agenda
    (``AGENDA_SIZE`` items, applications first) the benchmark opens."""
    meetings: list[tuple[Any, ...]] = []
    items: list[tuple[Any, ...]] = []
    attendance: list[tuple[Any, ...]] = []
    by_area: dict[int, list[App]] = {}
    for a in plan.apps:
        by_area.setdefault(a.area.id, []).append(a)
    item_id = attendance_id = 0
    for area in plan.areas:
        decided = [a for a in by_area[area.id] if a.decided and a.kind == "leader_project"]
        waiting = [a for a in by_area[area.id] if a.status == "on_agenda"]
        for n in range(11):
            meeting_id = plan.ids("meetings", 1)[0]
            upcoming = n == 10
            held = (
                date(2025, 11, 20) + timedelta(days=30 * n) if not upcoming else date(2026, 12, 10)
            )
            at = int(datetime(held.year, held.month, held.day, 18, tzinfo=UTC).timestamp())
            meetings.append((meeting_id, area.id, held, "18:00", "Bygdegården",
                             "planned" if upcoming else "adjusted", "Sekreteraren",
                             area.member_ids[1], area.member_ids[2], at - 30 * DAY,
                             None if upcoming else at, None if upcoming else at + 7200,
                             None if upcoming else at + 5 * DAY,
                             None if upcoming else "<h1>Protokoll</h1>", 1))  # fmt: skip
            chosen = waiting[:AGENDA_SIZE] if upcoming else decided[n * 8 : (n + 1) * 8]
            for position in range(1, AGENDA_SIZE + 1 if upcoming else len(chosen) + 1):
                item_id += 1
                a = chosen[position - 1] if position <= len(chosen) else None
                title = f"{a.reference}" if a else f"Övrig fråga {position}"
                outcome = (
                    None
                    if upcoming or a is None
                    else ("not_prioritised" if a.status == "rejected" else "prioritised")
                )
                items.append((item_id, area.id, meeting_id, position, a.id if a else None,
                              title, "", outcome,
                              a.granted if outcome == "prioritised" else None, "",
                              6 if outcome else 0, 0, 0, "",
                              at if outcome else None,
                              at + 5 * DAY if outcome else None, ""))  # fmt: skip
            for member in area.member_ids[:9]:
                attendance_id += 1
                attendance.append((attendance_id, meeting_id, member, True, at - DAY))
    return [
        ("meetings", "id area_id held_on starts_at place status secretary_name adjuster_one_id "
         "adjuster_two_id created_at opened_at closed_at adjusted_at minutes_html version",
         "iidssssiittttsi", lambda: meetings),
        ("agenda_items", "id area_id meeting_id position application_id title notes outcome "
         "amount_ore motivation votes_for votes_against votes_abstain reservations decided_at "
         "effected_at removal_reason", "iiiiisssisiiistts", lambda: items),
        ("meeting_attendance", "id meeting_id member_id present recorded_at", "iiibt",
         lambda: attendance),
    ]  # fmt: skip


def tables(plan: Plan) -> list[Table]:
    return [
        *_small_tables(plan),
        *_application_tables(plan),
        _ledger_table(plan),
        _audit_table(plan),
        *_meeting_tables(plan),
    ]


# --- Writers -------------------------------------------------------------------------------


def _pg_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


def _pg_converters(types: str) -> list[Callable[[Any], str]]:
    def ts(v: int) -> str:
        return time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime(v))

    by_type: dict[str, Callable[[Any], str]] = {
        "i": str, "s": _pg_text, "t": ts, "d": str, "j": _pg_text,
        "b": lambda v: "t" if v else "f",
    }  # fmt: skip
    return [by_type[t] for t in types]


def _sqlite_converters(types: str) -> list[Callable[[Any], Any]]:
    def ts(v: int) -> str:
        return time.strftime("%Y-%m-%d %H:%M:%S.000000", time.gmtime(v))

    def same(v: Any) -> Any:
        return v

    by_type: dict[str, Callable[[Any], Any]] = {
        "i": same, "s": same, "t": ts, "d": str, "j": same, "b": lambda v: 1 if v else 0,
    }  # fmt: skip
    return [by_type[t] for t in types]


def _check(name: str, columns: list[str], types: str) -> None:
    if len(columns) != len(types):
        raise ValueError(f"{name}: {len(columns)} columns but {len(types)} types")


def load_postgres(url: str, plan: Plan, log: Callable[[str], None]) -> dict[str, int]:
    counts: dict[str, int] = {}
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn, autocommit=False) as connection:
        # Skips triggers (ledger totals, foreign-key checks) for this session's load only.
        connection.execute("SET session_replication_role = replica")
        for name, column_text, types, rows in tables(plan):
            columns = column_text.split()
            _check(name, columns, types)
            converters = _pg_converters(types)
            started, count = time.perf_counter(), 0
            with connection.cursor().copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
                buffer: list[str] = []
                for row in rows():
                    buffer.append("\t".join(
                        "\\N" if v is None else f(v) for f, v in zip(converters, row, strict=True)
                    ))  # fmt: skip
                    count += 1
                    if len(buffer) >= 20_000:
                        copy.write("\n".join(buffer) + "\n")
                        buffer.clear()
                if buffer:
                    copy.write("\n".join(buffer) + "\n")
            counts[name] = count
            log(f"  {name}: {count:,} rows in {time.perf_counter() - started:.1f} s")
        connection.execute("SET session_replication_role = DEFAULT")
        _backfill_totals(connection.execute, "postgresql")
        for name in counts:
            if name not in ("user_roles", "reference_counters"):
                connection.execute(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'),"
                    f" (SELECT max(id) FROM {name}))"
                )
        connection.commit()
    with psycopg.connect(dsn, autocommit=True) as connection:
        started = time.perf_counter()
        connection.execute("VACUUM ANALYZE")
        log(f"  VACUUM ANALYZE in {time.perf_counter() - started:.1f} s")
    return counts


def _backfill_totals(execute: Callable[..., Any], dialect: str) -> None:
    """The same statement as the ledger_totals migration's backfill."""
    month = ("to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM')" if dialect == "postgresql"
             else "strftime('%Y-%m', recorded_at)")  # fmt: skip
    execute(
        "INSERT INTO ledger_totals (period_id, action_area_id, umbrella_project_id, kind,"
        " released_kind, month, amount_ore)"
        " SELECT period_id, COALESCE(action_area_id, 0), COALESCE(umbrella_project_id, 0), kind,"
        f" COALESCE(released_kind, ''), {month}, SUM(amount_ore)"
        " FROM ledger_entries GROUP BY period_id, COALESCE(action_area_id, 0),"
        f" COALESCE(umbrella_project_id, 0), kind, COALESCE(released_kind, ''), {month}"
    )


def load_sqlite(path: Path, plan: Plan, log: Callable[[str], None]) -> dict[str, int]:
    counts: dict[str, int] = {}
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = OFF")
    connection.execute("PRAGMA cache_size = -262144")
    trigger = connection.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'ledger_entries_totals'"
    ).fetchone()[0]
    connection.execute("BEGIN")
    connection.execute("DROP TRIGGER ledger_entries_totals")
    for name, column_text, types, rows in tables(plan):
        columns = column_text.split()
        _check(name, columns, types)
        converters = _sqlite_converters(types)
        statement = (f"INSERT INTO {name} ({', '.join(columns)}) "
                     f"VALUES ({', '.join('?' * len(columns))})")  # fmt: skip
        started, count, batch = time.perf_counter(), 0, []
        for row in rows():
            batch.append(tuple(None if v is None else f(v)
                               for f, v in zip(converters, row, strict=True)))  # fmt: skip
            if len(batch) >= 20_000:
                connection.executemany(statement, batch)
                count += len(batch)
                batch.clear()
        connection.executemany(statement, batch)
        count += len(batch)
        counts[name] = count
        log(f"  {name}: {count:,} rows in {time.perf_counter() - started:.1f} s")
    _backfill_totals(connection.execute, "sqlite")
    connection.execute(trigger)
    connection.execute("COMMIT")
    started = time.perf_counter()
    connection.execute("ANALYZE")
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    log(f"  ANALYZE in {time.perf_counter() - started:.1f} s")
    return counts


# --- Databases and the scale marker --------------------------------------------------------


def scale_tag(scale: float) -> str:
    return f"s{scale:g}".replace(".", "_")


def database_url(db: str, scale: float) -> str:
    if db == "sqlite":
        return f"sqlite:///{PROJECT_ROOT / 'var' / f'bench-{scale_tag(scale)}.db'}"
    return (make_url(PG_ADMIN_URL).set(drivername="postgresql+psycopg",
                                       database=f"bench_{scale_tag(scale)}")
            .render_as_string(hide_password=False))  # fmt: skip


def marker(db: str, scale: float) -> str:
    return json.dumps({"scale": scale, "version": GENERATOR_VERSION, "db": db}, sort_keys=True)


def read_marker(url: str) -> str | None:
    """The scale marker of an existing, fully generated bench database (None if absent)."""
    try:
        if url.startswith("sqlite"):
            path = make_url(url).database or ""
            if not Path(path).exists():
                return None
            with sqlite3.connect(path) as connection:
                row = connection.execute(
                    "SELECT value FROM bench_info WHERE key = 'marker'"
                ).fetchone()
        else:
            dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
            with psycopg.connect(dsn, connect_timeout=5) as connection:
                row = connection.execute(
                    "SELECT value FROM bench_info WHERE key = 'marker'"
                ).fetchone()
    except (sqlite3.Error, psycopg.Error):
        return None
    return row[0] if row else None


def _reset(db: str, url: str) -> None:
    if db == "sqlite":
        path = Path(make_url(url).database or "")
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    name = make_url(url).database
    admin = (
        make_url(PG_ADMIN_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    )
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def _write_marker(db: str, url: str, value: str, counts: dict[str, int], seconds: float) -> None:
    rows = [("marker", value), ("counts", json.dumps(counts)), ("seconds", f"{seconds:.0f}"),
            ("generated_at", datetime.now(UTC).isoformat(timespec="seconds"))]  # fmt: skip
    create = "CREATE TABLE bench_info (key VARCHAR(40) PRIMARY KEY, value TEXT NOT NULL)"
    if db == "sqlite":
        with sqlite3.connect(make_url(url).database or "") as connection:
            connection.execute(create)
            connection.executemany("INSERT INTO bench_info VALUES (?, ?)", rows)
        return
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(dsn) as connection:
        connection.execute(create)
        with connection.cursor() as cursor:
            cursor.executemany("INSERT INTO bench_info VALUES (%s, %s)", rows)


def generate(db: str, scale: float, log: Callable[[str], None] = print) -> tuple[str, float]:
    url = database_url(db, scale)
    started = time.perf_counter()
    _reset(db, url)
    databases.migrate(url)
    log(f"Generating {db} at scale {scale:g} into {url}")
    plan = build_plan(scale)
    log(f"  plan: {len(plan.apps):,} applications in {time.perf_counter() - started:.1f} s")
    if db == "sqlite":
        counts = load_sqlite(Path(make_url(url).database or ""), plan, log)
    else:
        counts = load_postgres(url, plan, log)
    seconds = time.perf_counter() - started
    _write_marker(db, url, marker(db, scale), counts, seconds)
    log(f"Generated in {seconds:.0f} s")
    return url, seconds


def ensure(db: str, scale: float, *, force: bool = False) -> tuple[str, float | None]:
    """The bench database for ``db`` and ``scale``: reused when its marker matches, generated
    otherwise. Returns the URL and the generation time (None when reused)."""
    url = database_url(db, scale)
    if not force and read_marker(url) == marker(db, scale):
        print(f"Reusing {url} (scale {scale:g})")
        return url, None
    return generate(db, scale)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", 1)))
    parser.add_argument("--force", action="store_true", help="regenerate even if it exists")
    args = parser.parse_args()
    ensure(args.db, args.scale, force=args.force)


if __name__ == "__main__":
    main()
