"""Which input decodes each cut: the plan of inputs that keeps a long full version's memory
flat, and the pictures cuts sharing an input open on (whole renders: test_render.py)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
from conftest import ffmpeg

from pipeline.render.filtergraph import assemble
from pipeline.render.readers import MAX_SKIP_S, Conform, Readers
from pipeline.timeline.model import SourceCut, Timeline, TimelineClip
from pipeline.timeline.timemap import TimeMap

CAMERA = Path("A/C0001.MP4")
RECORDER = Path("recorder/ZOOM0001.WAV")


def _inputs(readers: Readers) -> list[str]:
    arguments = readers.inputs()
    return [str(arguments[i + 1]) for i, arg in enumerate(arguments) if arg == "-i"]


def test_a_full_version_switching_camera_every_30_s_opens_one_input_per_file_and_kind() -> None:
    readers = Readers(Conform(25, 640, 360))
    other = Path("B/C0001.MP4")
    for clip in range(240):  # two hours
        readers.take(SourceCut(CAMERA if clip % 2 else other, clip * 30.0, 30.0), "video")
        readers.take(SourceCut(RECORDER, clip * 30.0, 30.0), "audio")
    assert sorted(_inputs(readers)) == sorted(map(str, [CAMERA, other, RECORDER]))
    graph = ";".join(readers.chains())
    # each of the 480 cuts has its own label, and no expression nests deeper than a tree
    assert len(set(re.findall(r"\[r\d+o\d+\]", graph))) == 480
    depth = deepest = 0
    for char in graph:
        depth += {"(": 1, ")": -1}.get(char, 0)
        deepest = max(deepest, depth)
    assert deepest < 12


def test_a_cut_back_in_time_or_far_ahead_gets_its_own_input_sought_before_it() -> None:
    readers = Readers(Conform(25, 640, 360))
    first = readers.take(SourceCut(CAMERA, 100.0, 5.0), "video")
    back = readers.take(SourceCut(CAMERA, 50.0, 5.0), "video")
    far = readers.take(SourceCut(CAMERA, 105.0 + MAX_SKIP_S + 1, 5.0), "video")
    near = readers.take(SourceCut(CAMERA, 110.0, 5.0), "video")
    assert len(readers) == 3
    arguments = [str(a) for a in readers.inputs()]
    seeks = [float(arguments[i + 1]) for i, arg in enumerate(arguments) if arg == "-ss"]
    assert seeks == [99.0, 49.0, 105.0 + MAX_SKIP_S]
    # a cut's start counts from its input's seek point
    assert (first.offset_s, back.offset_s, far.offset_s) == (1.0, 1.0, 1.0)
    # the input that skips least is the one reused
    assert near.offset_s == 11.0 and near.label.startswith("[r0")


def test_a_preview_clock_that_drifts_from_the_file_starts_a_new_input() -> None:
    """The burnt-in clock counts an input's frames from its seek point: a drift-corrected
    camera's file runs slower than the session, so its cuts 10 minutes apart need their
    own clocks (within half a frame: 200 s at 100 ppm); a camera on the session's clock
    shares one."""
    for drift_ppm, inputs in ((0, 1), (100, 2)):
        readers = Readers(Conform(25, 640, 360), timecode=True)
        for clip in range(8):  # 40-s clips every 50 s: 5 ms more drift each
            file_s = clip * 50 * (1 + drift_ppm * 1e-6)
            readers.take(SourceCut(CAMERA, 2 + file_s, 40.0), "video", clip * 50_000)
        assert len(readers) == inputs, drift_ppm


def _gray_frames(path: Path, *args: str) -> np.ndarray:
    raw = subprocess.run(
        ["ffmpeg", "-v", "error", *args, "-i", str(path), "-map", "0:v:0", "-f", "rawvideo",
         "-pix_fmt", "gray", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, dtype=np.uint8).reshape(-1, 90 * 160).astype(int)


def test_cuts_sharing_an_input_open_on_their_own_picture_even_from_a_sparse_source(
    tmp_path: Path,
) -> None:
    """A slide recording writes a frame when the screen changes (here one a second): each cut
    of a shared input opens on the last picture before its start, not on the previous cut's
    (the frames a second before each cut are kept for it)."""
    slides, room = tmp_path / "slides.mp4", tmp_path / "room.wav"
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=160x90:rate=1:duration=24", "-c:v", "libx264",
           "-qp", "0", "-g", "1", "-pix_fmt", "yuv420p", slides)  # fmt: skip
    ffmpeg("-f", "lavfi", "-i", "anullsrc=r=48000:cl=stereo", "-t", "24", room)
    starts = (2.5, 10.5, 20.6)
    clips = tuple(
        TimelineClip(
            n * 1000,
            n * 1000 + 1000,
            "A",
            (SourceCut(slides, start, 1.0),),
            (SourceCut(room, start, 1.0),),
            "recorder",
        )  # fmt: skip
        for n, start in enumerate(starts)
    )
    timeline = Timeline("full", clips, 25, 90, TimeMap.identity(3000))
    assembly = assemble(timeline, 160, 90)
    assert [str(a) for a in assembly.inputs].count("-i") == 2  # one input per file and kind
    (tmp_path / "graph.txt").write_text(assembly.graph, encoding="utf-8")
    film = tmp_path / "film.mkv"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", *map(str, assembly.inputs), "-filter_complex_script",
         str(tmp_path / "graph.txt"), "-map", assembly.video_label, "-map", assembly.audio_label,
         "-c:v", "ffv1", "-c:a", "pcm_s16le", str(film)],
        check=True,
    )  # fmt: skip
    source, shown = _gray_frames(slides), _gray_frames(film)
    assert len(shown) == 75
    for number, start in enumerate(starts):
        for frame in (0, 12, 24):
            nearest = np.abs(source - shown[number * 25 + frame]).mean(axis=1).argmin()
            assert nearest == int(start + frame / 25), (start, frame, nearest)
