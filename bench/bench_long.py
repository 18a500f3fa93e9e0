"""Real length (``make bench-long``, not part of ``make bench``): a 2-hour full version
assembled by stream copy.

One camera file of 2 hours (640x360, 25 fps, 2-s GOPs; a one-minute picture looped by copy,
so it is made in seconds and cached under bench/.cache/long/) and ten clips that cut it
off its keyframes into a 1 h 58 min film, as a full version with its breaks cut out.

* ``capture render full``: the whole assembly (pieces, sound in two loudness passes, the
  check, the loudness measured afterwards, editorial exports) and the web renditions (here
  the 360p rung alone, from the camera file in one graph), in × real time.
* picture: the copy of the picture and its check alone, in × real time (the issue's bound:
  at least 200×), against the floor, a bare ``ffmpeg -f concat`` copy of the same cuts (not
  frame-exact), and ``cp`` of the camera file.
* sound: the loudness pass one (loudnorm over the whole film) alone.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from datetime import date
from pathlib import Path

from pipeline.core.presets import load_preset
from pipeline.core.tempfiles import filter_safe_tempdir
from pipeline.ingest.run import ingest_declared
from pipeline.render import loudness
from pipeline.render.filtergraph import assemble
from pipeline.render.run import render
from pipeline.render.stream_copy import check_frames, copy_picture, why_not_copy
from pipeline.session import load_session
from pipeline.session.scaffold import init_session
from pipeline.sync.run import run_sync
from pipeline.timeline.build import build_timeline

ON_REQUEST = True
CACHE = Path(__file__).resolve().parent / ".cache" / "long"
HOURS = 2
CLIPS = 10


def _camera() -> Path:
    """A 2-hour camera card: one minute of picture looped by copy (the picture alone, so
    its timestamps stay on the 25 fps grid), and a 2-hour tone as its sound."""
    card = CACHE / "card"
    path = card / "C0001.MP4"
    if path.exists():
        return card
    card.mkdir(parents=True, exist_ok=True)
    seconds = HOURS * 3600
    unit, picture = CACHE / "unit.mp4", CACHE / "picture.mp4"
    ff = ["ffmpeg", "-v", "error", "-y"]
    subprocess.run([*ff, "-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25:duration=60",
                    "-c:v", "libx264", "-preset", "ultrafast", "-g", "50", str(unit)],
                   check=True)  # fmt: skip
    subprocess.run([*ff, "-stream_loop", "-1", "-i", str(unit), "-c", "copy",
                    "-t", str(seconds), str(picture)], check=True)  # fmt: skip
    partial = path.with_suffix(".partial.mp4")
    subprocess.run([*ff, "-i", str(picture), "-f", "lavfi", "-i",
                    f"sine=frequency=440:sample_rate=48000:duration={seconds}",
                    "-map", "0:v", "-map", "1:a", "-c:v", "copy", "-c:a", "aac", "-b:a", "96k",
                    "-shortest", str(partial)], check=True)  # fmt: skip
    partial.rename(path)
    return card


def _clips() -> list[tuple[float, float]]:
    """Ten clips of 11 min 47 s, 12 s apart, none starting or ending on a keyframe, all
    inside the 2 hours."""
    return [(round(i * 719.0 + 2.37, 2), round(i * 719.0 + 2.37 + 707.11, 2)) for i in range(CLIPS)]


def _session(work: Path):
    card = _camera()
    loaded = init_session(work / "long", title="Banc", date=date(2026, 3, 12))
    text = loaded.folder.session_file.read_text(encoding="utf-8")
    text = text.replace("sources: []", f"sources:\n  - {{path: {card}, camera: A}}")
    text = text.replace(
        "{name: A, role: wide, label: Plan large}", "{name: A, role: wide, offset: 0}"
    )
    loaded.folder.session_file.write_text(text, encoding="utf-8")
    lines = ["clips:"] + [f"  - {{in: {a}, out: {b}, exact: true}}" for a, b in _clips()]
    (loaded.folder.cues / "full.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    loaded = load_session(loaded.root)
    ingest_declared(loaded)
    run_sync(loaded)
    return loaded


def _timed(action) -> float:
    started = time.monotonic()
    action()
    return time.monotonic() - started


def _picture_alone(loaded, work: Path) -> tuple[float, int, int]:
    """The picture copied and checked as the render does it, without the sound."""
    timeline = build_timeline(loaded, "full")
    reason, formats = why_not_copy(timeline, 640, 360, False)
    if reason:
        raise RuntimeError(f"the film cannot be copied: {reason}")
    folder = work / "pieces"
    folder.mkdir()
    started = time.monotonic()
    picture = copy_picture(timeline, formats, folder)
    film = work / "picture.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "concat", "-safe", "1", "-i",
                    str(picture.concat_list), "-map", "0:v", "-c", "copy", str(film)],
                   check=True)  # fmt: skip
    with filter_safe_tempdir("bench-check-") as checks:
        check_frames(film, picture, timeline, checks)
    return time.monotonic() - started, picture.copied_frames, picture.encoded_frames


def _bare_concat(source: Path, work: Path) -> float:
    listing = work / "bare.ffconcat"
    lines = ["ffconcat version 1.0"]
    for a, b in _clips():
        lines += [f"file '{source}'", f"inpoint {a}", f"outpoint {b}"]
    listing.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return _timed(lambda: subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(listing),
         "-map", "0:v", "-c", "copy", str(work / "bare.mp4")], check=True))  # fmt: skip


def run() -> dict[str, object]:
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as folder:  # film-sized files: same disk
        work = Path(folder)
        loaded = _session(work)
        timeline = build_timeline(loaded, "full")
        film = timeline.duration_s
        figures: dict[str, object] = {"film_seconds": round(film, 2), "clips": CLIPS}
        source = next((loaded.folder.media / "A").rglob("C0001.MP4"))
        figures["cp_camera_file_s"] = round(
            _timed(lambda: shutil.copyfile(source, work / "copy.mp4")), 2
        )
        (work / "copy.mp4").unlink()
        figures["bare_concat_copy_s"] = round(_bare_concat(source, work), 2)
        picture_s, copied, encoded = _picture_alone(loaded, work)
        figures["picture_copy_and_check_s"] = round(picture_s, 2)
        figures["picture_x_real_time"] = round(film / picture_s, 1)
        figures["picture_frames_copied"] = copied
        figures["picture_frames_reencoded"] = encoded
        figures["picture_over_bare_concat_copy"] = round(
            picture_s / figures["bare_concat_copy_s"],
            2,  # type: ignore[operator]
        )
        target = load_preset("web").audio.loudness
        sound = assemble(timeline, 640, 360, with_video=False)
        figures["sound_loudness_pass_one_s"] = round(
            _timed(
                lambda: loudness.measure_pass(sound.inputs, sound.graph, sound.audio_label, target)
            ),
            2,  # fmt: skip
        )
        result: list = []
        render_s = _timed(lambda: result.append(render(loaded, "full")))
        if result[0].assembly.method != "stream copy":
            raise RuntimeError(f"the film was not copied: {result[0].assembly.reason}")
        figures["render_full_by_copy_and_web_renditions_s"] = round(render_s, 2)
        figures["render_x_real_time"] = round(film / render_s, 1)
        figures["web_renditions"] = [p.name for p in (loaded.folder.renders / "web").iterdir()]
    return figures
