"""Personal data over HTTP and from the command line: the register, data subject access in one
click, the access log, anonymisation with its dry run, and ``python -m app anonymise``."""

import io
import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.applicants.service import applicant_actor
from app.applications.models import Application, ApplicationStatus
from app.attachments.service import path_of, store
from app.audit.models import AuditEvent
from app.auth.models import Role
from app.config import PROJECT_ROOT, Settings
from app.db import make_engine, make_session_factory, utcnow
from app.privacy.models import AccessAction, PersonalDataAccess
from tests import databases, files
from tests.factories import AreaSetup, make_area, make_small_grant_case
from tests.http import login, post_form


def _as(client: TestClient, area: AreaSetup, role: Role) -> TestClient:
    client.cookies.clear()
    assert login(client, area.users[role].email).status_code == 303
    return client


def _access(db: Session) -> list[tuple[AccessAction, int | None]]:
    db.expire_all()
    rows = db.scalars(select(PersonalDataAccess).order_by(PersonalDataAccess.id))
    return [(row.action, row.application_id) for row in rows]


def test_every_staff_member_reads_the_register(client: TestClient, area: AreaSetup) -> None:
    for role in Role:
        page = _as(client, area, role).get("/personal-data")
        assert page.status_code == 200, role
        assert 'href="/personal-data" aria-current="page"' in page.text
        for text in ("Register över personuppgifter", "Ansökningar", "Sökandens kontaktperson",
                     "E-postadress", "Uppgift av allmänt intresse (art. 6.1 e)",
                     "Anonymiseras 120 månader efter att ärendet avslutats: töms."):  # fmt: skip
            assert text in page.text, text
        assert ('href="/personal-data/access-log"' in page.text) is (role is Role.ADMIN)


def test_subject_access_in_one_click(
    client: TestClient, db: Session, area: AreaSetup, other_area: AreaSetup
) -> None:
    case = make_small_grant_case(db, area)
    make_small_grant_case(db, other_area)  # the same contact, in another area
    db.commit()
    _as(client, area, Role.HANDLER)

    short = post_form(client, "/personal-data/subject", {"q": "ev"})
    assert short.status_code == 400
    assert "Skriv minst tre tecken" in short.text and 'value="ev"' in short.text

    found = post_form(client, "/personal-data/subject", {"q": "eva@example.se"})
    assert found.status_code == 200
    assert f'<a href="/cases/{case.id}">{case.reference}</a>' in found.text
    assert "export.pdf" in found.text and "export.json" in found.text

    extract = post_form(client, "/personal-data/subject/export.json", {"q": "eva@example.se"})
    assert extract.headers["content-type"] == "application/json"
    assert extract.headers["content-disposition"].startswith('attachment; filename="register')
    document = json.loads(extract.content)
    assert document["sökbegrepp"] == "eva@example.se"
    assert {record["ärende"] for record in document["poster"]} == {case.reference, None}
    # The search a moment ago is about her too.
    assert [r["tabell"] for r in document["poster"] if r["ärende"] is None] == [
        "personal_data_access"
    ]
    application = next(r for r in document["poster"] if r["tabell"] == "applications")
    email = next(f for f in application["uppgifter"] if f["kolumn"] == "contact_email")
    assert (email["värde"], email["kategori"]) == ("eva@example.se", "E-postadress")

    printed = post_form(client, "/personal-data/subject/export.pdf", {"q": "eva@example.se"})
    assert printed.headers["content-type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(printed.content)).pages)
    assert "Registerutdrag" in text and "eva@example.se" in text and case.reference in text

    assert _access(db) == [(AccessAction.SEARCH, None), (AccessAction.EXPORT_JSON, None),
                           (AccessAction.EXPORT_PDF, None)]  # fmt: skip
    hashes = set(db.scalars(select(PersonalDataAccess.subject_hash)))
    assert len(hashes) == 1 and None not in hashes
    summaries = db.scalars(select(AuditEvent.summary).where(
        AuditEvent.entity_type == "personal_data")).all()  # fmt: skip
    assert len(summaries) == 3 and not any("eva" in summary for summary in summaries)


def test_opening_a_case_or_its_documents_and_exporting_the_queue_are_logged(
    client: TestClient, db: Session, area: AreaSetup, settings: Settings
) -> None:
    case = make_small_grant_case(db, area)
    attachment = store(db, applicant_actor(case), application=case, label="Budget",
                       filename="budget.pdf", data=files.pdf(),
                       storage_dir=settings.attachments_dir, max_bytes=10**7)  # fmt: skip
    db.commit()
    _as(client, area, Role.HANDLER)
    assert client.get(f"/cases/{case.id}").status_code == 200
    assert client.get(f"/attachments/{attachment.id}").status_code == 200
    assert client.get("/cases/export.csv").status_code == 200
    assert _access(db) == [(AccessAction.VIEW_CASE, case.id),
                           (AccessAction.OPEN_DOCUMENT, case.id),
                           (AccessAction.EXPORT_CASE_LIST, None)]  # fmt: skip


def test_the_administrator_reads_the_access_log(
    client: TestClient, db: Session, area: AreaSetup
) -> None:
    case = make_small_grant_case(db, area)
    db.commit()
    handler = area.users[Role.HANDLER]
    _as(client, area, Role.HANDLER).get(f"/cases/{case.id}")
    post_form(client, "/personal-data/subject", {"q": "Eva Ek"})
    _as(client, area, Role.ADMIN)

    log = client.get("/personal-data/access-log")
    assert log.status_code == 200
    assert "Öppnade ärendet" in log.text and "Sökte efter en person" in log.text
    assert f'<a href="/cases/{case.id}">{case.reference}</a>' in log.text
    assert "Eva Ek" not in log.text  # the log never says whom
    subject = db.scalar(select(PersonalDataAccess.subject_hash).where(
        PersonalDataAccess.subject_hash.is_not(None)))  # fmt: skip
    assert f"?subject={subject}" in log.text

    searches = client.get(f"/personal-data/access-log?subject={subject}")
    assert "Sökte efter en person" in searches.text and "Öppnade ärendet" not in searches.text
    others = client.get(f"/personal-data/access-log?person={area.users[Role.MANAGER].id}")
    assert "Ingen åtkomst matchar urvalet." in others.text
    mine = client.get(f"/personal-data/access-log?person={handler.id}&since=2020-01-01")
    assert "Öppnade ärendet" in mine.text
    bad = client.get("/personal-data/access-log?since=i%20g%C3%A5r&person=x")
    assert bad.status_code == 400
    assert "Ange datumet som ÅÅÅÅ-MM-DD" in bad.text and 'value="i går"' in bad.text
    assert "Välj en person i listan." in bad.text


def _closed_long_ago(db: Session, setup: AreaSetup, settings_dir: Path) -> Application:
    case = make_small_grant_case(db, setup, status=ApplicationStatus.CLOSED)
    case.status_changed_at = utcnow() - timedelta(days=800)
    store(db, applicant_actor(case), application=case, label="Budget", filename="eva-ek.pdf",
          data=files.pdf(), storage_dir=settings_dir, max_bytes=10**7)  # fmt: skip
    return case


def test_anonymising_from_the_dry_run(
    client: TestClient, db: Session, area: AreaSetup, settings: Settings
) -> None:
    area.area.retention_months = 12
    case = _closed_long_ago(db, area, settings.attachments_dir)
    db.commit()
    stored = path_of(case.attachments[0], settings.attachments_dir)
    _as(client, area, Role.MANAGER)

    dry = client.get("/personal-data/anonymise")
    assert dry.status_code == 200
    assert case.reference in dry.text and "Anonymisera ärendet" in dry.text
    assert f'name="ids" value="{case.id}"' in dry.text
    db.expire_all()
    assert db.get_one(Application, case.id).contact_email == "eva@example.se"

    assert post_form(client, "/personal-data/anonymise", {"ids": "abc"}).status_code == 422
    nothing = post_form(client, "/personal-data/anonymise", {"ids": ""})
    assert "Inga ärenden att anonymisera." in nothing.text
    done = post_form(client, "/personal-data/anonymise", {"ids": str(case.id)},
                     follow_redirects=False)  # fmt: skip
    assert done.status_code == 303
    after = client.get(done.headers["location"])
    assert "1 ärende anonymiserades." in after.text
    assert "Inga ärenden har passerat gallringsfristen." in after.text
    db.expire_all()
    assert db.get_one(Application, case.id).contact_email == ""
    assert not stored.exists()


# --- The command line -----------------------------------------------------------------------


def _app(*args: str, database: Path, storage: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "BYGD_DATABASE_URL": f"sqlite:///{database}",
           "BYGD_ATTACHMENTS_DIR": str(storage)}  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "app", *args],
        cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_the_command_line_anonymises_on_schedule(tmp_path: Path) -> None:
    database, storage = tmp_path / "cli.db", tmp_path / "files"
    databases.migrate(f"sqlite:///{database}")
    engine = make_engine(f"sqlite:///{database}")
    factory = make_session_factory(engine)
    with factory() as db:
        setup = make_area(db, "clibygd")
        setup.area.retention_months = 12
        old = _closed_long_ago(db, setup, storage)
        recent = make_small_grant_case(db, setup, status=ApplicationStatus.CLOSED, title="Nyss")
        db.flush()
        stored = path_of(old.attachments[0], storage)
        db.commit()
    # Each check below reads in a session of its own: an open one would hold SQLite's lock.
    with factory() as db:
        dry = _app("anonymise", "--dry-run", database=database, storage=storage)
        assert dry.returncode == 0, dry.stderr
        assert f"clibygd {old.reference} (avslutat " in dry.stdout
        assert "clibygd: 1 ärende skulle anonymiseras." in dry.stdout
        assert db.get_one(Application, old.id).anonymised_at is None and stored.exists()
        db.rollback()

        unknown = _app("anonymise", "--area", "finnsinte", database=database, storage=storage)
        assert unknown.returncode == 1 and "Området finnsinte finns inte." in unknown.stderr

        real = _app("anonymise", "--area", "clibygd", database=database, storage=storage)
        assert real.returncode == 0, real.stderr
        assert "clibygd: 1 ärende anonymiserades." in real.stdout
        assert db.get_one(Application, old.id).contact_email == ""
        assert db.get_one(Application, recent.id).contact_email == "eva@example.se"
        assert not stored.exists()
        assert db.scalar(select(AuditEvent.summary).where(
            AuditEvent.action == "anonymise", AuditEvent.entity_type == "area")) == (
            "Anonymisering efter gallringsfristen (12 månader): 1 ärende")  # fmt: skip
    engine.dispose()
