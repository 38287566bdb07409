"""The HTTP benchmark: the app as a real server, measured page by page at concurrency 1 and 16.

    .venv/bin/python -m bench.run                       # PostgreSQL, BENCH_SCALE or 1
    .venv/bin/python -m bench.run --scale 0.1 --workers 2
    make bench BENCH_SCALE=0.1

1. Makes sure the generated database for the scale exists (``bench.generate.ensure``: reused
   when its scale marker matches).
2. Prepares what the write scenarios use, through the app's own services: filled-in småstöd
   drafts with applicant links (one per submit, so every submit is a real one), and a link to a
   received application for the applicant's status page.
3. Starts the app exactly as in production (``python -m app serve``: uvicorn workers with
   httptools and uvloop, a listening socket each; ``BYGD_ENVIRONMENT=production``), and the bare
   baseline (``bench/baseline.py``) beside it with the same server and settings.
4. Logs in through the real form, warms every scenario up, then measures each one closed-loop
   with ``c`` clients on keep-alive connections (a small asyncio HTTP/1.1 client: cheap enough
   not to steal the server's CPU on a 2-core machine) and reports p50/p95/p99 and requests/s.
5. Reads each worker's RSS, prints the table and writes it into ``docs/benchmarks.md`` (one
   section per database and scale, replaced on the next run).
"""

import argparse
import asyncio
import os
import platform
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import func, select

from app.applicants import service as applicants
from app.applications.models import Application, ApplicationKind, ApplicationStatus
from app.areas.models import Area
from app.config import PROJECT_ROOT, Settings
from app.core.clock import local_today
from app.db import make_engine, make_session_factory, utcnow
from app.meetings.models import Meeting, MeetingStatus
from app.umbrellas.models import UmbrellaProject
from bench import generate
from bench.generate import luhn

SECRET_KEY = "bench-secret-key-" + "x" * 32
CSRF = "bench-csrf-token"
AREA = "area01"  # the measured area: its data stay as generated
WRITE_AREA = "area02"  # where the draft and submit scenarios add their applications
DOC = PROJECT_ROOT / "docs" / "benchmarks.md"
ORGANISATION = {
    "name": "Stjärnhovs bygdegårdsförening", "legal_form": "ideell_forening",
    "org_number": "817604-5527", "bankgiro": "5050-1055", "plusgiro": "",
    "street_address": "Bygdevägen 2", "postal_code": "642 91", "city": "Stjärnhov",
    "contact_name": "Eva Ek", "contact_email": "eva@example.se", "contact_phone": "070-111 22 33",
}  # fmt: skip
BUDGET = {
    "cost_1_description": "Reservaggregat", "cost_1_amount": "32 000",
    "cost_2_description": "Installation", "cost_2_amount": "8000", "leader_support": "40 000",
    "volunteer_hours_adult": "60", "volunteer_women": "4", "volunteer_men": "3",
}  # fmt: skip
SEARCHES = ("bygdegård", "stjärnhov", "fiber i", "SMÅ-2025-01", "ungdom", "föreningen i trosa")


def _project(today: datetime) -> dict[str, str]:
    start = local_today() + timedelta(days=7)
    return {
        "title": "Reservkraft till bygdegården",
        "description": "Vi köper ett reservaggregat så att bygdegården kan vara värmestuga.",
        "expected_results": "En värmestuga för 200 hushåll, två övningar per år.",
        "project_start": start.isoformat(),
        "project_end": (start + timedelta(days=120)).isoformat(),
    }


# --- A minimal keep-alive HTTP/1.1 client ---------------------------------------------------


class Client:
    """One connection, one request at a time, cookies kept (a browser tab, more or less)."""

    def __init__(self, host: str, port: int, cookies: dict[str, str] | None = None) -> None:
        self.host, self.port = host, port
        self.cookies = {"bygd_csrf": CSRF, **(cookies or {})}
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def _connect(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        sock = self.writer.get_extra_info("socket")
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None

    async def request(
        self, method: str, path: str, form: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        if self.writer is None:
            await self._connect()
        assert self.reader is not None and self.writer is not None  # noqa: S101
        body = urlencode(form).encode() if form is not None else b""
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        head = (f"{method} {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\n"
                f"Cookie: {cookie}\r\nX-CSRF-Token: {CSRF}\r\n")  # fmt: skip
        if form is not None:
            head += ("Content-Type: application/x-www-form-urlencoded\r\n"
                     f"Content-Length: {len(body)}\r\n")  # fmt: skip
        self.writer.write(head.encode("latin-1") + b"\r\n" + body)
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                name, value = name.strip().lower(), value.strip()
                if name == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key] = rest.split(";", 1)[0]
                headers[name] = value
        if headers.get("transfer-encoding") == "chunked":
            chunks = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunks.append(await self.reader.readexactly(size + 2))
                if size == 0:
                    break
            payload = b"".join(c[:-2] for c in chunks)
        else:
            payload = await self.reader.readexactly(int(headers.get("content-length", "0")))
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, payload


# --- Scenarios -------------------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    label: str
    server: str  # "app" or "baseline"
    role: str | None  # whose login; None: an anonymous visitor (applicant)
    make: Callable[[int], tuple[str, str, dict[str, str] | None]]  # n -> method, path, form
    expect: int = 200
    baseline: str | None = None  # the scenario whose ratio to this one is reported
    limit: Callable[[], int] | None = None  # most requests available (one-shot submits)


@dataclass
class Result:
    scenario: str
    concurrency: int
    latencies: list[float]
    seconds: float
    errors: int
    sample_error: str = ""

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))] * 1000

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


@dataclass
class Fixture:
    """What the scenarios ask for: ids and links prepared before the server starts."""

    area_id: int
    case_ids: list[int]
    meeting_id: int
    umbrella_id: int
    status_token: str
    save_tokens: list[str]
    submit_tokens: list[str]
    deep_page: int
    applications_in_area: int
    used: dict[str, int] = field(default_factory=dict)


def prepare(url: str, settings: Settings, submits: int) -> Fixture:
    """Drafts, links and ids, made with the app's own services (committed)."""
    engine = make_engine(url)
    factory = make_session_factory(engine)
    now = utcnow()
    with factory() as db:
        area_id = db.scalar(select(Area.id).where(Area.code == AREA))
        received = select(Application.id).where(
            Application.area_id == area_id, Application.reference.is_not(None)
        )
        total = db.scalar(
            select(func.count()).select_from(Application).where(Application.area_id == area_id)
        )
        case_ids = list(db.scalars(received.order_by(Application.id).limit(200)))
        meeting_id = db.scalar(
            select(Meeting.id).where(
                Meeting.area_id == area_id, Meeting.status == MeetingStatus.PLANNED
            ).order_by(Meeting.held_on).limit(1)
        )  # fmt: skip
        # The one-shot drafts go to another area, so that repeated runs on a reused database
        # never change what the read scenarios measure.
        write_area = db.scalar(select(Area.id).where(Area.code == WRITE_AREA))
        umbrella = db.scalar(
            select(UmbrellaProject).where(
                UmbrellaProject.area_id == write_area, UmbrellaProject.call_closes_at > now
            ).order_by(UmbrellaProject.id).limit(1)
        )  # fmt: skip
        call = db.scalar(
            select(UmbrellaProject.id).where(
                UmbrellaProject.area_id == area_id, UmbrellaProject.call_closes_at > now
            ).order_by(UmbrellaProject.id).limit(1)
        )  # fmt: skip
        assert umbrella is not None and call is not None and meeting_id is not None  # noqa: S101
        shown = db.scalar(
            select(Application).where(
                Application.area_id == area_id,
                Application.kind == ApplicationKind.SMALL_GRANT,
                Application.status == ApplicationStatus.PAYMENT,
            ).order_by(Application.id).limit(1)
        )  # fmt: skip
        assert shown is not None  # noqa: S101
        status_token = applicants.issue_link(db, settings, shown, now)
        project = _project(now)
        tokens = []
        # A new organisation per draft: one number shared by concurrent submits would make
        # them race to register it (see docs/benchmarks.md).
        first = secrets.randbelow(80_000)
        for n in range(submits + 32):
            draft = applicants.start_draft(db, umbrella, now)
            organisation = {**ORGANISATION, "org_number": luhn(f"8176{first + n:05d}")}
            for step, values in (("organisation", organisation), ("project", project),
                                 ("budget", BUDGET)):  # fmt: skip
                applicants.save_step(draft, step, values)
            tokens.append(applicants.issue_link(db, settings, draft, now))
        db.commit()
    engine.dispose()
    return Fixture(
        area_id=area_id, case_ids=case_ids, meeting_id=meeting_id, umbrella_id=call,
        status_token=status_token, save_tokens=tokens[:32], submit_tokens=tokens[32:],
        deep_page=max(1, int(-(-total // 50) * 0.9)), applications_in_area=total,
    )  # fmt: skip


def scenarios(f: Fixture, project: dict[str, str]) -> list[Scenario]:
    def get(path: str) -> Callable[[int], tuple[str, str, None]]:
        return lambda _n: ("GET", path, None)

    def submit(_n: int) -> tuple[str, str, dict[str, str]]:
        index = f.used["submit"] = f.used.get("submit", 0) + 1
        return "POST", f"/a/{f.submit_tokens[index - 1]}/submit", {"consent": "yes"}

    return [
        Scenario("queue", "Queue, first page", "app", "handler", get("/cases"),
                 baseline="baseline_queue"),
        Scenario("queue_filtered", "Queue, filtered (status + kind)", "app", "handler",
                 get("/cases?status=in_review&kind=smastod")),
        Scenario("queue_search", "Queue, search", "app", "handler",
                 lambda n: ("GET", "/cases?" + urlencode({"q": SEARCHES[n % len(SEARCHES)]}),
                            None)),
        Scenario("queue_deep", f"Queue, deep page ({f.deep_page})", "app", "handler",
                 get(f"/cases?page={f.deep_page}"), baseline="baseline_queue_deep"),
        Scenario("case", "Case page", "app", "handler",
                 lambda n: ("GET", f"/cases/{f.case_ids[n % len(f.case_ids)]}", None)),
        Scenario("meeting", "LAG meeting page", "app", "lag_chair",
                 get(f"/board/meetings/{f.meeting_id}")),
        Scenario("dashboard", "Manager dashboard", "app", "manager", get("/budget"),
                 baseline="baseline_dashboard"),
        Scenario("call", "Public call page", "app", None, get(f"/calls/{f.umbrella_id}")),
        Scenario("status", "Applicant status page", "app", None, get(f"/a/{f.status_token}")),
        Scenario("draft_save", "Draft save (project step)", "app", None,
                 lambda n: ("POST", f"/a/{f.save_tokens[n % len(f.save_tokens)]}/project",
                            {**project, "action": "next"}), expect=303),
        Scenario("submit", "Submit", "app", None, submit, expect=303,
                 limit=lambda: len(f.submit_tokens) - f.used.get("submit", 0)),
        Scenario("baseline_queue", "Baseline: queue SQL + template", "baseline", None,
                 get("/queue")),
        Scenario("baseline_queue_deep", "Baseline: deep queue page", "baseline", None,
                 get(f"/queue?page={f.deep_page}")),
        Scenario("baseline_dashboard", "Baseline: dashboard SQL + template", "baseline", None,
                 get("/budget")),
    ]  # fmt: skip


async def _login(port: int, email: str) -> dict[str, str]:
    client = Client("127.0.0.1", port)
    form = {"email": email, "password": generate.PASSWORD, "csrf_token": CSRF}
    status, _ = await client.request("POST", "/login", form)
    await client.close()
    if status != 303 or "bygd_session" not in client.cookies:
        raise RuntimeError(f"login as {email} failed ({status})")
    return {"bygd_session": client.cookies["bygd_session"]}


async def measure(
    scenario: Scenario, port: int, cookies: dict[str, str], concurrency: int, seconds: float,
    counter: list[int],
) -> Result:  # fmt: skip
    clients = [Client("127.0.0.1", port, cookies) for _ in range(concurrency)]
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.perf_counter() + seconds
    budget = scenario.limit() if scenario.limit else None

    async def loop(client: Client) -> None:
        nonlocal budget
        while time.perf_counter() < deadline:
            if budget is not None:
                if budget <= 0:
                    return
                budget -= 1
            counter[0] += 1
            method, path, form = scenario.make(counter[0])
            started = time.perf_counter()
            try:
                status, body = await client.request(method, path, form)
            except (OSError, asyncio.IncompleteReadError) as exc:
                errors.append(repr(exc))
                await client.close()
                continue
            latencies.append(time.perf_counter() - started)
            if status != scenario.expect:
                errors.append(f"{method} {path} -> {status}: {body[:200]!r}")

    started = time.perf_counter()
    await asyncio.gather(*(loop(c) for c in clients))
    elapsed = time.perf_counter() - started
    for client in clients:
        await client.close()
    return Result(scenario.name, concurrency, latencies, elapsed, len(errors),
                  errors[0] if errors else "")  # fmt: skip


# --- Servers -----------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _command(factory: str, port: int, workers: int) -> list[str]:
    """The production server (``python -m app serve``, docs/production.md), for the baseline
    too, so that the ratio compares the pages and not two ways of serving them."""
    return [str(PROJECT_ROOT / ".venv" / "bin" / "python"), "-m", "app", "serve",
            "--app", factory, "--host", "127.0.0.1", "--port", str(port),
            "--workers", str(workers)]  # fmt: skip


def start_server(
    command: list[str], env: dict[str, str], port: int, started: list[subprocess.Popen[bytes]]
) -> subprocess.Popen[bytes]:
    """Start a server and add it to ``started`` at once, so that it is stopped on any error."""
    process = subprocess.Popen(command, env=env, cwd=PROJECT_ROOT, start_new_session=True)  # noqa: S603
    started.append(process)
    for _ in range(300):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                time.sleep(1.0)  # let every worker finish its start-up
                return process
        except OSError:
            if process.poll() is not None:
                raise RuntimeError(f"server exited: {shlex.join(command)}") from None
            time.sleep(0.1)
    raise RuntimeError("server did not start")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def worker_memory(process: subprocess.Popen[bytes]) -> list[tuple[int, int, int]]:
    """(pid, RSS KiB, peak RSS KiB) of each worker process."""
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    pids = [int(p) for p in children.read_text().split()] if children.exists() else []
    # The supervisor's children are the workers (plus, at times, a multiprocessing resource
    # tracker, which holds no app and is skipped by its size).
    memory = []
    for pid in pids or [process.pid]:
        status = Path(f"/proc/{pid}/status").read_text()
        rss = int(re.search(r"VmRSS:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
        peak = int(re.search(r"VmHWM:\s+(\d+)", status).group(1))  # type: ignore[union-attr]
        if rss > 30_000:
            memory.append((pid, rss, peak))
    return memory


# --- Report ------------------------------------------------------------------------------

TARGETS = {"queue": 25, "queue_filtered": 25, "queue_search": 25, "queue_deep": 25,
           "case": 25, "call": 25, "dashboard": 100}  # fmt: skip


def _load(values: tuple[float, float, float]) -> str:
    return " / ".join(f"{x:.1f}" for x in values)


def _machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    meminfo = Path("/proc/meminfo").read_text()
    memory = int(re.search(r"MemTotal:\s+(\d+)", meminfo).group(1))  # type: ignore[union-attr]
    system = f"{platform.system()} {platform.release()}"
    return (f"{os.cpu_count()} cores ({cpu}), {memory / 1024 / 1024:.0f} GiB RAM, {system}, "
            f"Python {platform.python_version()}")  # fmt: skip


def table(
    items: list[Scenario], results: dict[tuple[str, int], Result], levels: tuple[int, ...]
) -> str:
    head = ["page"]
    for c in levels:
        head += [f"c={c} p50", f"c={c} p95", f"c={c} p99", f"c={c} req/s"]
    head += [f"p95 ratio to baseline (c={levels[0]})",
             f"req/s share of baseline (c={levels[-1]})"]  # fmt: skip
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for s in items:
        row = [s.label]
        for c in levels:
            r = results.get((s.name, c))
            if r is None or not r.latencies:
                row += ["–"] * 4
                continue
            flag = ""
            if c == 1 and s.name in TARGETS and r.percentile(95) > TARGETS[s.name]:
                flag = " ✗"
            if c > 1 and r.percentile(95) > 250:
                flag = " ✗"
            row += [f"{r.percentile(50):.1f}", f"{r.percentile(95):.1f}{flag}",
                    f"{r.percentile(99):.1f}", f"{r.rps:.0f}"]  # fmt: skip
            if r.errors:
                row[-1] += f" ({r.errors} errors)"
        ratio = share = "–"
        if s.baseline:
            own, base = results.get((s.name, levels[0])), results.get((s.baseline, levels[0]))
            if own and base and own.latencies and base.latencies:
                value = own.percentile(95) / base.percentile(95)
                ratio = f"{value:.2f}×" + (" ✗" if value > 2 else "")
            own, base = results.get((s.name, levels[-1])), results.get((s.baseline, levels[-1]))
            if own and base and own.latencies and base.latencies:
                value = own.rps / base.rps
                share = f"{value:.0%}" + (" ✗" if value < 0.5 else "")
        row += [ratio, share]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def write_doc(key: str, section: str) -> None:
    """Replace (or add) this database and scale's section of docs/benchmarks.md."""
    begin, end = f"<!-- bench:{key} -->", f"<!-- /bench:{key} -->"
    text = DOC.read_text() if DOC.exists() else _DOC_HEAD
    block = f"{begin}\n{section.strip()}\n{end}"
    if begin in text:
        text = re.sub(re.escape(begin) + r".*?" + re.escape(end), lambda _m: block, text,
                      flags=re.DOTALL)  # fmt: skip
    else:
        marker = "<!-- results -->"
        text = text.replace(marker, f"{marker}\n\n{block}") if marker in text else text + block
    DOC.write_text(text)


_DOC_HEAD = """# Benchmarks

Written by `bench/run.py` (`make bench`); the analysis below the results is by hand.

<!-- results -->
"""


def main() -> None:
    parser = argparse.ArgumentParser(description="HTTP benchmark of Bygdestöd's main pages.")
    parser.add_argument("--db", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--scale", type=float, default=float(os.environ.get("BENCH_SCALE", 1)))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("BENCH_WORKERS", 2)))
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", 6)))
    parser.add_argument("--concurrency", default="1,16")
    parser.add_argument("--only", default="", help="comma-separated scenario names")
    parser.add_argument("--no-doc", action="store_true", help="print only")
    args = parser.parse_args()
    levels = tuple(int(c) for c in args.concurrency.split(","))

    gen_started = time.perf_counter()
    url, generated = generate.ensure(args.db, args.scale)
    ensure_seconds = time.perf_counter() - gen_started
    attachments = tempfile.mkdtemp(prefix="bench-attachments-")
    env = {**os.environ, "BYGD_ENVIRONMENT": "production", "BYGD_SECRET_KEY": SECRET_KEY,
           "BYGD_COOKIE_SECURE": "true", "BYGD_DATABASE_URL": url,
           "BYGD_MAIL_SENDER_ENABLED": "false", "BYGD_ATTACHMENTS_DIR": attachments,
           "BENCH_BASELINE_AREA": AREA}  # fmt: skip
    settings = Settings(
        environment="production", secret_key=SECRET_KEY, cookie_secure=True, database_url=url,
        attachments_dir=Path(attachments), _env_file=None,  # type: ignore[call-arg]
    )  # fmt: skip
    # Enough one-shot drafts for the submit scenario at every level (~40 ms each).
    submits = int(sum(max(40, c * 25) for c in levels) + 100)
    fixture = prepare(url, settings, submits)
    project = _project(datetime.now(UTC))
    items = [
        s for s in scenarios(fixture, project) if not args.only or s.name in args.only.split(",")
    ]
    app_port, base_port = _free_port(), _free_port()
    app_command = _command("app.main:create_app", app_port, args.workers)
    base_command = _command("bench.baseline:create_app", base_port, args.workers)
    results: dict[tuple[str, int], Result] = {}
    servers: list[subprocess.Popen[bytes]] = []
    try:
        app_server = start_server(app_command, env, app_port, servers)
        start_server(base_command, env, base_port, servers)
        logins = {
            role: asyncio.run(_login(app_port, f"{role}@{AREA}.bench"))
            for role in ("handler1", "manager", "lag_chair")
        }
        cookies = {"handler": logins["handler1"], "manager": logins["manager"],
                   "lag_chair": logins["lag_chair"], None: {}}  # fmt: skip
        counter = [0]
        load_before = os.getloadavg()
        memory_before = worker_memory(app_server)
        for scenario in items:
            port = app_port if scenario.server == "app" else base_port
            jar = cookies[scenario.role]
            # Warm-up: every worker has compiled its templates and filled its pools.
            warm = min(2.0, args.seconds / 2) if scenario.name != "submit" else 0.5
            asyncio.run(measure(scenario, port, jar, 4, warm, counter))
            for c in levels:
                result = asyncio.run(measure(scenario, port, jar, c, args.seconds, counter))
                results[(scenario.name, c)] = result
                print(f"{scenario.label:<40} c={c:<3} p50={result.percentile(50):7.1f} ms "
                      f"p95={result.percentile(95):7.1f} ms p99={result.percentile(99):7.1f} ms "
                      f"{result.rps:7.1f} req/s  n={len(result.latencies)}"
                      + (f"  ERRORS {result.errors}: {result.sample_error}"
                         if result.errors else ""), flush=True)  # fmt: skip
        memory_after = worker_memory(app_server)
        load_after = os.getloadavg()
    finally:
        for server in servers:
            stop_server(server)
        shutil.rmtree(attachments, ignore_errors=True)

    rss = ", ".join(f"{rss / 1024:.0f} MiB (peak {peak / 1024:.0f})"
                    for _pid, rss, peak in memory_after)  # fmt: skip
    rss_start = ", ".join(f"{rss / 1024:.0f} MiB" for _pid, rss, _peak in memory_before)
    generation = (f"generated in {generated:.0f} s" if generated is not None
                  else f"reused (checked in {ensure_seconds:.1f} s)")  # fmt: skip
    command = f"make bench BENCH_SCALE={args.scale:g}" + (
        f" BENCH_ARGS='--db {args.db}'" if args.db != "postgresql" else "")  # fmt: skip
    database = generate.database_url(args.db, args.scale).rsplit("/", 1)[-1]
    server = shlex.join(app_command[1:]).replace(str(app_port), "PORT")
    clients = ", ".join(f"c={c}" for c in levels)
    own = (f".venv/bin/python -m bench.run --db {args.db} --scale {args.scale:g} "
           f"--workers {args.workers} --seconds {args.seconds:g}")  # fmt: skip
    section = "\n".join([
        f"## {args.db}, scale {args.scale:g} "
        f"({fixture.applications_in_area:,} applications in the measured area)",
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC. Machine: {_machine()}.",
        f"- Command: `{command}` (= `{own}`); database `{database}`, {generation}.",
        f"- Server: `{server}`, `BYGD_ENVIRONMENT=production`, mail sender off. Client: "
        f"{clients} closed-loop keep-alive connections on the same machine, "
        f"{args.seconds:g} s per cell after a warm-up.",
        f"- Load average (1/5/15 min) before the run {_load(load_before)}, after "
        f"{_load(load_after)}: above ~2, other work shared the 2 cores.",
        f"- Worker RSS after login: {rss_start}; after the run: {rss}.",
        "",
        table(items, results, levels),
        "",
        "Times in ms. ✗ marks a missed target (p95 ≤ 25 ms at c=1 for the queue, case and call "
        "pages, ≤ 100 ms for the dashboard, ≤ 250 ms for everything at c=16; within 2× of the "
        "baseline; at least half its throughput).",
    ])  # fmt: skip
    print()
    print(section)
    if not args.no_doc:
        write_doc(f"{args.db}:{args.scale:g}", section)
        print(f"Written to {DOC.relative_to(PROJECT_ROOT)}")
    if any(r.errors for r in results.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
