"""The site's HTML: Jinja2 with autoescaping on (every text from session.yaml, the cue lists
or the transcript is escaped), French, relative links only, no external resource, so the
pages work from ``file://`` and from any static host."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from pipeline.core.fsutil import atomic_write_bytes, atomic_write_text
from pipeline.timeline.card_text import french_date

__all__ = ["french_date", "duration_text", "clock_text", "size_text", "document_entry",
           "render_page"]  # fmt: skip


def environment() -> Environment:
    return Environment(
        loader=PackageLoader("pipeline.publish", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def script_json(value: object) -> str:
    """JSON safe inside a ``<script>`` element: no ``<``, ``>`` or ``&`` survives as such,
    so "</script>" in a caption cannot end the element."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def duration_text(seconds: float) -> str:
    """ "1 h 52 min", "3 min 24 s"."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min {secs:02d} s" if minutes else f"{secs} s"


def clock_text(seconds: float) -> str:
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:d}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:d}:{secs:02d}"


def size_text(size: int) -> str:
    """French units: "12,3 Mo"."""
    for unit, scale in (("Go", 1e9), ("Mo", 1e6), ("ko", 1e3)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}".replace(".", ",")
    return f"{size} o"


def document_entry(title: str, path: str, size: int) -> dict:
    """A document as a page lists it: its title, link, kind ("PDF") and size."""
    return {"title": title, "file": path, "kind": path.rsplit(".", 1)[-1].upper(),
            "size_text": size_text(size)}  # fmt: skip


def write_assets(site: Path) -> None:
    """The stylesheet and script every page links to (``SITE/assets/``)."""
    folder = site / "assets"
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("capture.css", "capture.js", "search.js", "favicon.svg"):
        source = resources.files("pipeline.publish") / "assets" / name
        with resources.as_file(source) as path:
            target = folder / name
            if not target.is_file() or target.read_bytes() != path.read_bytes():
                atomic_write_bytes(target, path.read_bytes())


def render_page(template: str, target: Path, **context: object) -> None:
    """``context`` holds ``site`` (the cycle's SiteConfig: its title, the footer's legal and
    accessibility lines) and ``root`` (the relative way back to the site's top)."""
    page = environment().get_template(template).render(**context)
    atomic_write_text(target, page)
