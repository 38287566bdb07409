"""Probes for the reverse proxy and the orchestrator: anonymous, outside the API schema.

``/healthz`` answers as long as the process can serve HTTP at all (liveness: restart it if not);
``/readyz`` also needs the database and the current schema (readiness: send it traffic or not).
"""

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from app.auth.dependencies import DbSession
from app.ops.service import check_readiness

pages = APIRouter(include_in_schema=False)

NO_STORE = {"Cache-Control": "no-store"}


@pages.get("/healthz")
async def healthz() -> JSONResponse:
    # Async and without a session: it must answer even when the database or the thread pool
    # that sync routes run in is exhausted.
    return JSONResponse({"status": "ok"}, headers=NO_STORE)


@pages.get("/readyz")
def readyz(session: DbSession) -> JSONResponse:
    readiness = check_readiness(session)
    if readiness.ready:
        body = {"status": "ready", "database": "ok", "revision": readiness.revision}
        return JSONResponse(body, headers=NO_STORE)
    body = {"status": "unavailable", "reason": readiness.reason}
    return JSONResponse(body, status_code=503, headers=NO_STORE)
