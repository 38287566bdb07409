"""Static assets (CSS, htmx) under names that change with their content, cached for a year.

Pages link ``/static/css/app.css?v=<hash of the file>``. A browser keeps such a file for a year
without asking again (``immutable``); a new deployment changes the hash, so the next page links a
new URL and the old copy is never used. Without the hash, or with an old one, the file is served
with ``no-cache``: it may be stored but must be revalidated (ETag), so nobody is stuck with it.
"""

import hashlib
import os
from functools import lru_cache
from pathlib import Path
from urllib.parse import parse_qs

from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from app.config import PROJECT_ROOT

STATIC_DIR = PROJECT_ROOT / "static"
ONE_YEAR = 365 * 24 * 60 * 60


def _fingerprint(path: Path) -> str:
    # Hashed once per version of the file: a stat per page, and an edited file (while
    # developing) gets a new fingerprint at once.
    stat = path.stat()
    return _hash(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=64)
def _hash(path: Path, mtime_ns: int, size: int) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def static_url(name: str) -> str:
    """The URL of a file under static/ with its content fingerprint, e.g.
    ``static_url("css/app.css")`` -> ``/static/css/app.css?v=3f2a…``."""
    return f"/static/{name}?v={_fingerprint(STATIC_DIR / name)}"


class FingerprintedStaticFiles(StaticFiles):
    """StaticFiles that lets browsers keep a file for a year when asked for by its current
    fingerprint."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        versions = parse_qs(scope["query_string"].decode("latin-1")).get("v", [])
        if versions == [_fingerprint(Path(full_path))]:
            response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
        else:
            response.headers["Cache-Control"] = "no-cache"
        return response
