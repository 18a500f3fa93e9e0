"""The preview server answers byte ranges as a real host must (a player seeks with them,
HLS reads its segments with them) and names the site's files with their MIME types."""

from __future__ import annotations

import urllib.error
import urllib.request
from pathlib import Path

import pytest

from pipeline.publish.serve import serving


def _get(url: str, headers: dict[str, str] | None = None):
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.headers, response.read()


def test_byte_ranges_are_answered_with_the_bytes_asked_for(tmp_path: Path) -> None:
    data = bytes(range(256)) * 40
    (tmp_path / "film.mp4").write_bytes(data)
    with serving(tmp_path) as base:
        status, headers, body = _get(f"{base}/film.mp4", {"Range": "bytes=100-199"})
        assert (status, body) == (206, data[100:200])
        assert headers["Content-Range"] == f"bytes 100-199/{len(data)}"
        assert headers["Content-Type"] == "video/mp4"
        status, headers, body = _get(f"{base}/film.mp4", {"Range": "bytes=10000-"})
        assert (status, body) == (206, data[10000:])
        status, _, body = _get(f"{base}/film.mp4", {"Range": "bytes=-16"})
        assert (status, body) == (206, data[-16:])
        status, headers, body = _get(f"{base}/film.mp4")
        assert (status, body, headers["Accept-Ranges"]) == (200, data, "bytes")
        for invalid in ("bytes=5-2", "bytes=" + "9" * 40 + "-"):  # ignored: the whole file
            status, _, body = _get(f"{base}/film.mp4", {"Range": invalid})
            assert (status, body) == (200, data), invalid
        with pytest.raises(urllib.error.HTTPError) as refused:
            _get(f"{base}/film.mp4", {"Range": f"bytes={len(data)}-"})
        assert refused.value.code == 416


def test_captions_and_playlists_carry_their_mime_types(tmp_path: Path) -> None:
    (tmp_path / "a.vtt").write_text("WEBVTT\n", encoding="utf-8")
    (tmp_path / "a.m3u8").write_text("#EXTM3U\n", encoding="utf-8")
    with serving(tmp_path) as base:
        assert _get(f"{base}/a.vtt")[1]["Content-Type"].startswith("text/vtt")
        assert _get(f"{base}/a.m3u8")[1]["Content-Type"] == "application/vnd.apple.mpegurl"
