"""Rendering: the same 3-minute highlights from a 4-minute and a 40-minute source, the
preview turnaround after one changed cue, and the same edit as one bare ffmpeg command.

* seek: render time (preview settings) of six 30-s clips spread over a short and a 10×
  longer camera file; input seeking makes the ratio stay near 1.
* preview: `capture render --preview` again after moving one clip (target ≤ 30 s).
* reference: one hand-written ffmpeg command doing the same cuts at the same settings;
  ratio = capture / bare (the cost of exact cuts, conforming and the report).
* stream copy: the same 3-minute film (clips only, as a plain full version) assembled by
  copy, in × real time, against the same film fully rendered and against a bare
  ``ffmpeg -f concat`` copy with inpoint/outpoint (not frame-exact: the floor).
* many clips: a preview of 10, 100 and 300 clips of 0.2 s (320x180), each render in its own
  process: time and the peak memory of its ffmpeg, 300 clips against 10 (the issue's bound
  is 1.5).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from pipeline.ingest.run import ingest_declared
from pipeline.render.run import render
from pipeline.session import load_session
from pipeline.session.scaffold import init_session
from pipeline.sync.run import run_sync

CACHE = Path(__file__).resolve().parent / ".cache" / "render"
CLIPS = 6
CLIP_SECONDS = 30.0


def _camera(minutes: int) -> Path:
    card = CACHE / f"card-{minutes}min"
    path = card / "C0001.MP4"
    if not path.exists():
        card.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y",
             "-f", "lavfi", "-i", f"testsrc2=size=640x360:rate=25:duration={minutes * 60}",
             "-f", "lavfi", "-i", f"sine=frequency=440:sample_rate=48000:duration={minutes * 60}",
             "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-c:a", "aac",
             str(path)],
            check=True,
        )  # fmt: skip
    return card


def _clips(minutes: int) -> list[tuple[float, float]]:
    step = (minutes * 60 - CLIP_SECONDS) / CLIPS
    return [(round(i * step + 1, 2), round(i * step + 1 + CLIP_SECONDS, 2)) for i in range(CLIPS)]


def _session(work: Path, minutes: int):
    card = _camera(minutes)
    loaded = init_session(work / f"s{minutes}", title="Banc", date=date(2026, 3, 12))
    text = loaded.folder.session_file.read_text(encoding="utf-8")
    text = text.replace("sources: []", f"sources:\n  - {{path: {card}, camera: A}}")
    text = text.replace(
        "{name: A, role: wide, label: Plan large}", "{name: A, role: wide, offset: 0}"
    )
    loaded.folder.session_file.write_text(text, encoding="utf-8")
    _write_cues(loaded, _clips(minutes))
    loaded = load_session(loaded.root)
    ingest_declared(loaded)
    run_sync(loaded)
    return loaded


def _write_cues(loaded, clips: list[tuple[float, float]]) -> None:
    lines = ["clips:"] + [f"  - {{in: {a}, out: {b}, camera: A, exact: true}}" for a, b in clips]
    (loaded.folder.cues / "highlights.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _timed(action) -> float:
    started = time.monotonic()
    action()
    return time.monotonic() - started


def _bare(source: Path, clips: list[tuple[float, float]], out: Path) -> None:
    inputs, chains = [], []
    for i, (a, b) in enumerate(clips):
        inputs += ["-ss", str(a), "-t", str(b - a), "-i", str(source)]
        chains.append(f"[{i}:v]scale=640:360[v{i}]")
    joined = "".join(f"[v{i}][{i}:a]" for i in range(len(clips)))
    graph = ";".join(chains) + f";{joined}concat=n={len(clips)}:v=1:a=1[v][a]"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", *inputs, "-filter_complex", graph, "-map", "[v]",
         "-map", "[a]", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "30",
         "-c:a", "aac", "-b:a", "96k", str(out)],
        check=True,
    )  # fmt: skip


def _bare_copy(source: Path, clips: list[tuple[float, float]], work: Path) -> None:
    """The same cuts by the concat demuxer and stream copy, picture only: fast but cut on
    keyframes, so not what capture must deliver."""
    listing = work / "bare.ffconcat"
    lines = ["ffconcat version 1.0"]
    for a, b in clips:
        lines += [f"file '{source}'", f"inpoint {a}", f"outpoint {b}"]
    listing.write_text("\n".join(lines) + "\n", encoding="utf-8")
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(listing),
         "-map", "0:v", "-c", "copy", str(work / "bare-copy.mp4")],
        check=True,
    )  # fmt: skip


MANY = (10, 100, 300)
RENDER_ALONE = """
import resource, sys, time
from pathlib import Path
from pipeline.render.run import render
from pipeline.session import load_session
started = time.monotonic()
render(load_session(Path(sys.argv[1])), "highlights", preview=True)
print(time.monotonic() - started, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def _many_clips(work: Path) -> dict[str, object]:
    card = CACHE / "card-70s-180p"
    if not (card / "C0001.MP4").exists():
        card.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y",
             "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=70",
             "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=70",
             "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", "-c:a", "aac",
             str(card / "C0001.MP4")],
            check=True,
        )  # fmt: skip
    loaded = init_session(work / "many", title="Banc", date=date(2026, 3, 12))
    text = loaded.folder.session_file.read_text(encoding="utf-8")
    loaded.folder.session_file.write_text(
        text.replace("sources: []", f"sources:\n  - {{path: {card}, camera: A}}"), encoding="utf-8"
    )
    loaded = load_session(loaded.root)
    ingest_declared(loaded)
    run_sync(loaded)
    figures: dict[str, object] = {}
    for count in MANY:
        _write_cues(loaded, [(round(n * 0.22, 2), round(n * 0.22 + 0.2, 2)) for n in range(count)])
        done = subprocess.run(
            [sys.executable, "-c", RENDER_ALONE, str(loaded.root)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        seconds, peak_kb = done.stdout.split()[-2:]
        figures[f"clips_{count}_s"] = round(float(seconds), 2)
        figures[f"clips_{count}_peak_mb"] = round(int(peak_kb) / 1024)
    figures["memory_300_over_10_clips"] = round(
        figures["clips_300_peak_mb"] / figures["clips_10_peak_mb"],
        2,  # type: ignore[operator]
    )
    return figures


def run() -> dict[str, object]:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        short, long = _session(work, 4), _session(work, 40)
        figures: dict[str, object] = {"film_seconds": CLIPS * CLIP_SECONDS}
        short_s = _timed(lambda: render(short, "highlights", preview=True))
        long_s = _timed(lambda: render(long, "highlights", preview=True))
        figures["preview_from_4_min_source_s"] = round(short_s, 2)
        figures["preview_from_40_min_source_s"] = round(long_s, 2)
        figures["long_over_short_source"] = round(long_s / short_s, 3)
        clips = _clips(40)
        clips[2] = (clips[2][0] + 5, clips[2][1] + 5)  # the editor moves one cue
        _write_cues(long, clips)
        figures["preview_after_one_changed_cue_s"] = round(
            _timed(lambda: render(long, "highlights", preview=True)), 2
        )
        source = next((long.folder.media / "A").rglob("*.MP4"))
        bare_s = _timed(lambda: _bare(source, clips, work / "bare.mp4"))
        figures["bare_ffmpeg_same_edit_s"] = round(bare_s, 2)
        figures["capture_over_bare_ffmpeg"] = round(
            figures["preview_after_one_changed_cue_s"] / bare_s, 3
        )
        copied: list = []
        copied_s = _timed(lambda: copied.append(render(long, "highlights")))
        if copied[0].assembly.method != "stream copy":
            raise RuntimeError(f"the film was not copied: {copied[0].assembly.reason}")
        rendered_s = _timed(lambda: render(long, "highlights", allow_copy=False))
        bare_copy_s = _timed(lambda: _bare_copy(source, clips, work))
        film = figures["film_seconds"]
        figures["stream_copy_film_s"] = round(copied_s, 2)
        figures["stream_copy_x_real_time"] = round(film / copied_s, 1)
        figures["full_render_same_film_s"] = round(rendered_s, 2)
        figures["copy_over_render"] = round(copied_s / rendered_s, 3)
        figures["bare_concat_copy_s"] = round(bare_copy_s, 2)
        figures["copy_over_bare_concat_copy"] = round(copied_s / bare_copy_s, 3)
        figures |= _many_clips(work)
    return figures
