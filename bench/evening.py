"""A Rencontre's recordings at real length, for the long benchmarks: the room's sound made
of the real French speech set (``../shared/speech-fr``, read where it lies), and what a
drifting sound recorder and each camera make of it.

The room: the speech set laid out as a debate three times in three orders (16.5 minutes),
looped as long as needed, under a brown room noise that never repeats. The recorder starts
the evening (session 0) with a clock running fast (resampled 48000 → ``RECORDER_RATE``
Hz); each camera starts and ends when it is told, adds its own microphone hiss and a
low-pass, and records AAC beside a picture (a one-minute test card looped by copy).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

RATE = 48_000
RECORDER_RATE = 47_995
"""The recorder's samples, taken 48000 a second by a clock running fast, played at 48000."""
DRIFT_PPM = (RATE / RECORDER_RATE - 1) * 1e6
FF = ["ffmpeg", "-v", "error", "-y", "-nostdin"]


def _made(path: Path, argv: list[str]) -> Path:
    """``argv`` writing a temporary beside ``path``, renamed once whole (a cache that a
    killed benchmark leaves is never half a file)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.stem}.partial{path.suffix}")
        subprocess.run([*argv, str(partial)], check=True)
        partial.rename(path)
    return path


def room(cache: Path, seconds: float) -> Path:
    """The room's sound for ``seconds`` (48 kHz mono FLAC)."""
    import realspeech

    programme = cache / "programme.wav"
    if not programme.exists():
        realspeech.build_programme(programme, realspeech.DEBATE_ORDER, rounds=3, noise_db=-90)
    return _made(cache / f"room-{seconds:g}s.flac", [
        *FF, "-stream_loop", "-1", "-i", str(programme),
        "-f", "lavfi", "-i", f"anoisesrc=color=brown:seed=11:amplitude=0.02:r={RATE}",
        "-filter_complex", "[0:a]aformat=channel_layouts=mono[s];"
        "[s][1:a]amix=inputs=2:normalize=0:duration=shortest[room]",
        "-map", "[room]", "-t", str(seconds), "-ar", str(RATE), "-c:a", "flac",
    ])  # fmt: skip


def recorder(card: Path, room_sound: Path, seconds: float) -> Path:
    """The recorder's card: the room from session 0 for ``seconds``, its clock fast."""
    _made(card / "ZOOM0001.WAV", [
        *FF, "-i", str(room_sound),
        "-af", f"atrim=end={seconds},asetrate={RECORDER_RATE},aresample={RATE}",
        "-c:a", "pcm_s16le", "-f", "wav",
    ])  # fmt: skip
    return card


def picture(cache: Path, size: str, seconds: float) -> Path:
    """``seconds`` of 25 fps picture: a one-minute test card looped by copy."""
    unit = _made(cache / f"unit-{size}.mp4", [
        *FF, "-f", "lavfi", "-i", f"testsrc2=size={size}:rate=25:duration=60",
        "-c:v", "libx264", "-preset", "ultrafast", "-g", "50",
    ])  # fmt: skip
    return _made(cache / f"picture-{size}-{seconds:g}s.mp4", [
        *FF, "-stream_loop", "-1", "-i", str(unit), "-c", "copy", "-t", str(seconds),
    ])  # fmt: skip


def camera(card: Path, room_sound: Path, moving: Path, start: float, end: float, seed: int) -> Path:
    """A camera's card: from ``start`` to ``end`` of the session, its own hiss."""
    heard = (f"[0:a]atrim=start={start}:end={end},asetpts=PTS-STARTPTS,volume=0.7,"
             "lowpass=f=7000[own];"
             f"anoisesrc=color=pink:seed={seed}:amplitude=0.004:r={RATE}[hiss];"
             "[own][hiss]amix=inputs=2:normalize=0:duration=first[sound]")  # fmt: skip
    _made(card / "C0001.MP4", [
        *FF, "-i", str(room_sound), "-i", str(moving), "-filter_complex", heard,
        "-map", "1:v", "-map", "[sound]", "-t", str(end - start),
        "-c:v", "copy", "-c:a", "aac", "-b:a", "128k", "-ac", "2", "-f", "mp4",
    ])  # fmt: skip
    return card


def session_folder(work: Path, slug: str, cards: dict[str, Path], **extra: object) -> Path:
    """A session folder whose sources are ``cards`` (camera name → card; ``recorder`` is
    the sound recorder), written through the session model capture reads."""
    import yaml

    from pipeline.session import Session

    folder = work / slug
    folder.mkdir(parents=True)
    labels = {"A": ("wide", "Plan large"), "B": ("close", "Plan serré"),
              "recorder": ("recorder", "Enregistreur")}  # fmt: skip
    data = {
        "slug": slug, "title": "Une soirée des Rencontres", "date": "2026-03-12",
        "language": "fr",
        "cameras": [{"name": name, "role": labels[name][0], "label": labels[name][1]}
                    for name in cards],
        "sources": [{"path": str(card), "camera": name} for name, card in cards.items()],
        **extra,
    }  # fmt: skip
    Session.model_validate(data)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    (folder / "session.yaml").write_text(text, encoding="utf-8")
    return folder


def cue_lists(
    session: Path, full: tuple[float, float], highlights: list[tuple[float, float, str]]
) -> None:
    """The session's two films: the full version (one clip on camera A, from ``full``'s
    start to its end) behind a 5-s title card, so it is re-encoded, and the highlights
    (clips from ``highlights``: start, end, camera)."""
    cues = session / "cues"
    cues.mkdir(exist_ok=True)
    start, end = full
    (cues / "full.yaml").write_text(
        f"title_card: {{duration: 5}}\nclips:\n  - {{in: {start:g}, out: {end:g}, camera: A}}\n",
        encoding="utf-8",
    )
    lines = ["clips:"] + [f"  - {{in: {a}, out: {b}, camera: {c}}}" for a, b, c in highlights]
    (cues / "highlights.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
