"""A local preview of the site as a proper static host serves it: byte ranges (``Range:
bytes=a-b``, answered ``206 Partial Content``, which a player needs to seek and HLS needs
to read its segments), and the MIME types of captions, playlists and fragments.

Python's own ``http.server`` ignores ``Range`` and answers the whole file, so a film served
by it cannot seek: this is the same server with ranges, for ``capture serve`` and the tests.
It is a preview for one person, not a production host (docs/publishing.md gives nginx and
Apache configurations).
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

MIME_TYPES = {
    ".vtt": "text/vtt",
    ".m3u8": "application/vnd.apple.mpegurl",
    ".m4s": "video/iso.segment",
    ".m4a": "audio/mp4",
    ".mp4": "video/mp4",
    ".srt": "application/x-subrip",
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".json": "application/json",
    ".js": "text/javascript",
}
"""What the site's files must be served as (also the list docs/publishing.md gives hosts)."""

_RANGE = re.compile(r"bytes=(\d{0,18})-(\d{0,18})$")


class RangeRequestHandler(http.server.SimpleHTTPRequestHandler):
    """``SimpleHTTPRequestHandler`` with single byte ranges and the site's MIME types."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **MIME_TYPES}

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        if os.environ.get("CAPTURE_SERVE_LOG"):
            super().log_message(format, *args)

    def end_headers(self) -> None:
        self.send_header("Accept-Ranges", "bytes")
        super().end_headers()

    def send_head(self):  # type: ignore[no-untyped-def]
        wanted = self.headers.get("Range")
        path = Path(self.translate_path(self.path))
        if not wanted or not path.is_file():
            return super().send_head()
        size = path.stat().st_size
        found = _RANGE.match(wanted.strip())
        if not found or found.groups() == ("", ""):
            return super().send_head()  # several ranges or a form we do not serve: all of it
        first, last = found.groups()
        if first and last and int(last) < int(first):
            return super().send_head()  # an invalid range is ignored (RFC 9110 §14.2)
        if first:
            start, end = int(first), min(int(last) if last else size - 1, size - 1)
        else:  # the last N bytes
            start, end = max(size - int(last), 0), size - 1
        if start >= size or start > end:
            self.send_response(http.HTTPStatus.REQUESTED_RANGE_NOT_SATISFIABLE)
            self.send_header("Content-Range", f"bytes */{size}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        stream = path.open("rb")
        stream.seek(start)
        self.send_response(http.HTTPStatus.PARTIAL_CONTENT)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Range", f"bytes {start}-{end}/{size}")
        self.send_header("Content-Length", str(end - start + 1))
        self.end_headers()
        self._remaining = end - start + 1
        return stream

    def copyfile(self, source, outputfile) -> None:  # type: ignore[no-untyped-def]
        remaining = getattr(self, "_remaining", None)
        if remaining is None:
            shutil.copyfileobj(source, outputfile)
            return
        self._remaining = None
        while remaining > 0:
            chunk = source.read(min(1 << 16, remaining))
            if not chunk:
                break
            outputfile.write(chunk)
            remaining -= len(chunk)


def make_server(site: Path, host: str = "127.0.0.1", port: int = 0) -> http.server.HTTPServer:
    handler = functools.partial(RangeRequestHandler, directory=str(site))
    return http.server.ThreadingHTTPServer((host, port), handler)


@contextmanager
def serving(site: Path, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """The site served in a background thread for the ``with`` block; yields its base URL."""
    server = make_server(site, host, port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
