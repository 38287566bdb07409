"""Static assets under fingerprinted URLs with long-lived caching, and compressed pages."""

import gzip
import hashlib
import re

from fastapi.testclient import TestClient

from app.core import static
from tests.factories import AreaSetup

ASSET_LINK = re.compile(r'(?:href|src)="(/static/([^"?]+)\?v=([0-9a-f]+))"')


def _assets(page: str) -> list[tuple[str, str, str]]:
    return ASSET_LINK.findall(page)


def test_pages_link_assets_by_their_content_fingerprint(client: TestClient) -> None:
    links = _assets(client.get("/login").text)
    assert {name for _, name, _ in links} == {"css/app.css", "vendor/htmx.min.js"}
    for _, name, version in links:
        content = (static.STATIC_DIR / name).read_bytes()
        assert version == hashlib.sha256(content).hexdigest()[:16]


def test_an_asset_asked_for_by_its_fingerprint_is_cached_for_a_year(client: TestClient) -> None:
    for url, name, _ in _assets(client.get("/login").text):
        response = client.get(url)
        assert response.status_code == 200
        assert response.content == (static.STATIC_DIR / name).read_bytes()
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_an_asset_without_or_with_an_old_fingerprint_must_be_revalidated(
    client: TestClient,
) -> None:
    for url in ("/static/css/app.css", "/static/css/app.css?v=0123456789abcdef"):
        response = client.get(url)
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-cache"
        etag = response.headers["etag"]
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304


def test_an_edited_asset_gets_a_new_fingerprint(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(static, "STATIC_DIR", tmp_path)
    asset = tmp_path / "site.css"
    asset.write_text("body { color: black }")
    first = static.static_url("site.css")
    asset.write_text("body { color: darkgreen }")
    second = static.static_url("site.css")
    assert first != second
    assert second.endswith(hashlib.sha256(asset.read_bytes()).hexdigest()[:16])


def test_pages_are_compressed_for_browsers_that_accept_it(
    handler: TestClient, area: AreaSetup
) -> None:
    with handler.stream("GET", "/cases", headers={"Accept-Encoding": "gzip"}) as response:
        assert response.headers["content-encoding"] == "gzip"
        assert "Accept-Encoding" in response.headers["vary"]
        wire = b"".join(response.iter_raw())
    plain = handler.get("/cases", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert gzip.decompress(wire) == plain.content
    assert len(wire) < len(plain.content) / 2
