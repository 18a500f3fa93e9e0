"""What a session's outputs say, as one JSON document, to check that a change of code shape
(issue 16) changes nothing a user gets.

Reads files only (standard library): it never imports ``pipeline``, so it keeps working while
modules move. Kept: the ingest and sync records, the transcript, every subtitle file, the cue
lists, the render reports and editorial exports, the step records and the site's manifests,
pages and text tracks. Dropped: the moments things happened, durations of work, and the bytes
of encoded media (an encoder may produce other bytes on another CPU).

    python tests/output_fingerprint.py SESSION [SITE [ROOT_WHEN_MADE]] > fingerprint.json
    python tests/output_fingerprint.py --compare EXPECTED.json ACTUAL.json
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

MOMENTS = re.compile(r"^(.*_at|since|seconds|started|finished|created|date_published)$")
MEDIA_FACTS = re.compile(
    r"^(sha256|bytes|size|size_bytes|digest|.*_digest|inputs|film_inputs|bitrate_kbps|bytes_per_minute|cpu_seconds|energy_wh|origin|.*mtime.*|peak_memory.*|images)$"
)
"""Keys whose values describe encoded bytes, where the session lies, or when/how long: not
what the outputs say (``images``: the restitution's digest of its stills' JPEG bytes, taken
from an x264 encode whose bytes may differ from one run to the next)."""
TEXT_SUFFIXES = {".json", ".srt", ".vtt", ".txt", ".md", ".yaml", ".otio", ".xml", ".edl",
                 ".html", ".csv", ".m3u8"}  # fmt: skip
STAMP = re.compile(r"\d{8}T\d{6}Z?|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?")
ENCODED = re.compile(r"\b\d+(,\d+)? (o|ko|Mo|Go)\b|BANDWIDTH=\d+|BYTERANGE[:=]\"?\d+@\d+")
"""Sizes, bitrates and byte ranges of encodes shown in pages and playlists (x264 under rate
control may give other bytes from one run to the next)."""
CLOCK = re.compile(r"\b(\d\d):(\d\d):(\d\d)[.,](\d\d\d)\b")
TIME_TOLERANCE_S = 0.010
"""A moment may move by 10 ms (another CPU's float rounding in sound analysis)."""
RELATIVE_TOLERANCE = 0.001


def _clean(value: Any, root: str) -> Any:
    if isinstance(value, dict):
        if "fingerprint" in value and isinstance(value["fingerprint"], dict):
            # a step's input digests name files by time and place: only what is digested counts
            value = {**value, "fingerprint": sorted(value["fingerprint"])}
        return {
            k: _clean(v, root)
            for k, v in sorted(value.items())
            if not MOMENTS.match(k) and not MEDIA_FACTS.match(k)
        }
    if isinstance(value, list):
        return [_clean(v, root) for v in value]
    if isinstance(value, str):
        text = ENCODED.sub("<encoded>", STAMP.sub("<stamp>", value.replace(root, "$ROOT")))
        return _split_times(text)
    return value


def _split_times(text: str) -> Any:
    """A text with clock times becomes [text, seconds, text, ...] so that times compare with
    a tolerance and the words around them exactly."""
    parts: list[Any] = []
    last = 0
    for match in CLOCK.finditer(text):
        h, m, s, ms = (int(g) for g in match.groups())
        parts += [text[last : match.start()], h * 3600 + m * 60 + s + ms / 1000]
        last = match.end()
    if not parts:
        return text
    return [*parts, text[last:]]


def _read(path: Path, root: str) -> Any:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return _clean(json.loads(text), root)
    return _clean(text.splitlines(), root)


def _files(folder: Path, pattern: str) -> list[Path]:
    return sorted(p for p in folder.glob(pattern) if p.is_file() and p.suffix in TEXT_SUFFIXES)


def fingerprint(session: Path, site: Path | None = None, root: str | None = None) -> dict[str, Any]:
    """The session's (and site's) text outputs by relative path, cleaned as described above
    (``root``: the folder holding the session when it was made, if it has moved since)."""
    root = root or str(session.parent)
    out: dict[str, Any] = {}
    patterns = ["work/ingest.json", "work/sync.json", "work/run.json", "transcript/*",
                "subtitles/*", "subtitles/reviewed/*", "subtitles/review/*", "cues/*",
                "renders/*"]  # fmt: skip
    for pattern in patterns:
        for path in _files(session, pattern):
            out[f"session/{path.relative_to(session).as_posix()}"] = _read(path, root)
    history = session / "subtitles" / "reviewed" / "history"
    if history.is_dir():
        out["session/subtitles/reviewed/history"] = [
            _read(p, root) for p in sorted(history.iterdir()) if p.is_file()
        ]
    if site is not None:
        site_root = str(site)
        for path in _files(site, "**/*"):
            out[f"site/{path.relative_to(site).as_posix()}"] = _clean(_read(path, root), site_root)
    return out


def differences(expected: Any, actual: Any, where: str = "") -> list[str]:
    """Where ``actual`` differs from ``expected``: text exactly, numbers as ``_close``."""
    if isinstance(expected, dict) and isinstance(actual, dict):
        found = [f"{where}/{k}: missing" for k in expected if k not in actual]
        found += [f"{where}/{k}: new" for k in actual if k not in expected]
        for key in expected.keys() & actual.keys():
            found += differences(expected[key], actual[key], f"{where}/{key}")
        return found
    if isinstance(expected, list) and isinstance(actual, list):
        if len(expected) != len(actual):
            return [f"{where}: {len(expected)} items expected, {len(actual)} found"]
        return [d for i, (e, a) in enumerate(zip(expected, actual, strict=True))
                for d in differences(e, a, f"{where}[{i}]")]  # fmt: skip
    if isinstance(expected, bool) or isinstance(actual, bool):
        return [] if expected is actual else [f"{where}: {expected!r} != {actual!r}"]
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return [] if _close(expected, actual, where) else [f"{where}: {expected!r} != {actual!r}"]
    return [] if expected == actual else [f"{where}: {expected!r} != {actual!r}"]


def _close(expected: float, actual: float, where: str) -> bool:
    """Milliseconds (``*_ms``) within 10, other floats within 10 ms or 0.1 %, counts exact."""
    key = re.sub(r"\[\d+\]$", "", where).rsplit("/", 1)[-1]
    gap = abs(expected - actual)
    if key.endswith("_ms"):
        return gap <= TIME_TOLERANCE_S * 1000
    if isinstance(expected, int) and isinstance(actual, int):
        return gap == 0
    return gap <= TIME_TOLERANCE_S or gap <= RELATIVE_TOLERANCE * abs(expected)


def main(argv: list[str]) -> int:
    if argv[:1] == ["--compare"]:
        expected, actual = (json.loads(Path(p).read_text(encoding="utf-8")) for p in argv[1:3])
        found = differences(expected, actual)
        print("\n".join(found) or "same outputs")
        return 1 if found else 0
    session = Path(argv[0]).resolve()
    site = Path(argv[1]).resolve() if len(argv) > 1 else None
    found = fingerprint(session, site, argv[2] if len(argv) > 2 else None)
    print(json.dumps(found, indent=1, sort_keys=True, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
