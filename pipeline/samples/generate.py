"""Generate the sample Rencontre: camera cards, a ready session folder and ``truth.json``.

The room is mixed once (voices, pauses, applause, room tone); every device then "records" it
from its own start time with its own colouring, exactly as the real cameras would, so the
offsets and drift written to truth.json are the ground truth the sync stage must find.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

from pipeline.core.errors import ConfigError
from pipeline.core.progress import ProgressReporter
from pipeline.core.runner import OutputFile, run_ffmpeg, run_tool
from pipeline.core.tools import ESPEAK
from pipeline.samples import script as S
from pipeline.samples.audio import (
    RATE,
    applause,
    drift,
    read_wav_mono,
    room_tone,
    voiced_span,
    write_wav_mono,
)
from pipeline.samples.devices import (
    CameraLook,
    Colouring,
    colour_audio,
    encode_camera_file,
    record_as_recorder,
)
from pipeline.samples.face import write_face
from pipeline.samples.session_files import (
    cue_lists,
    sample_session,
    write_logo,
    write_photo,
    write_synthesis,
    write_yaml,
)
from pipeline.samples.truth import (
    DEMO,
    TINY,
    TRUTH_VERSION,
    DeviceTruth,
    FileTruth,
    SampleSize,
    ScriptLineTruth,
    Truth,
)
from pipeline.samples.vox_pop import write_vox_pop
from pipeline.session.scaffold import scaffold_folders


@dataclass(frozen=True)
class SampleResult:
    root: Path
    session: Path
    cards: Path
    truth_file: Path
    truth: Truth


def _frames(seconds: float, fps: int) -> float:
    """Round down to a whole number of frames (exactly representable in samples too)."""
    return int(seconds * fps) / fps


def _synthesize(line: S.Line, workdir: Path, index: int, cast: dict[str, S.Voice]) -> np.ndarray:
    voice = cast[line.speaker]
    text_file = workdir / f"line{index:02d}.txt"
    text_file.write_text(line.text, encoding="utf-8")
    raw = workdir / f"line{index:02d}.22k.wav"
    run_tool(
        ESPEAK,
        [
            "-v", voice.espeak_voice,
            "-p", str(voice.pitch),
            "-s", str(voice.words_per_minute),
            "-f", text_file,
            "-w", OutputFile(raw),
        ],
    )  # fmt: skip
    resampled = workdir / f"line{index:02d}.48k.wav"
    run_ffmpeg(
        ["-i", raw, "-ar", str(RATE), "-ac", "1", "-c:a", "pcm_s16le", OutputFile(resampled)]
    )
    samples, _ = read_wav_mono(resampled)
    peak = float(np.abs(samples).max()) or 1.0
    return samples / peak * voice.gain


def _mix_room(size: SampleSize, workdir: Path, debate: S.Debate) -> tuple[np.ndarray, Truth]:
    rng = np.random.default_rng(20260312)
    lead_in = size.camera_a_offset + size.lead_in_after_a
    pieces: list[tuple[float, np.ndarray]] = []
    lines: list[ScriptLineTruth] = []
    claps: list[tuple[float, float]] = []
    cursor = lead_in
    for index, line in enumerate(size.script):
        speech = _synthesize(line, workdir, index, debate.cast)
        onset, offset = voiced_span(speech, RATE)
        pieces.append((cursor, speech))
        voice = debate.cast[line.speaker]
        lines.append(
            ScriptLineTruth(
                line.speaker, voice.name, line.text,
                round(cursor + onset, 3), round(cursor + offset, 3),
            )
        )  # fmt: skip
        cursor += len(speech) / RATE + line.pause_after
        if line.applause_after:
            burst = applause(line.applause_after, rng)
            pieces.append((cursor, burst))
            claps.append((round(cursor, 3), round(cursor + line.applause_after, 3)))
            cursor += line.applause_after + 0.3
    total = _frames(cursor + size.tail, size.fps)
    room = room_tone(int(round(total * RATE)), rng)
    for start, samples in pieces:
        first = int(round(start * RATE))
        room[first : first + len(samples)] += samples[: len(room) - first]
    truth = Truth(
        TRUTH_VERSION, size.name, debate.slug, size.fps, size.width, size.height, RATE,
        total, [], lines, claps,
    )  # fmt: skip
    return room, truth


CAMERA_A_COLOUR = Colouring((41, 83, 127), (0.35, 0.22, 0.12), 90, 9000, 50, 0.010, 0.004, 11)
CAMERA_B_COLOUR = Colouring((23, 61), (0.2, 0.1), 120, 12000, 100, 0.004, 0.002, 23)


def _cut(room: np.ndarray, offset: float, seconds: float) -> np.ndarray:
    first = int(round(offset * RATE))
    return room[first : first + int(round(seconds * RATE))]


def _creation(start: datetime, offset: float, clock_error: float) -> datetime:
    return start + timedelta(seconds=offset + clock_error)


def _timecode(moment: datetime, fps: int) -> str:
    frame = int(moment.microsecond / 1e6 * fps)
    return f"{moment:%H:%M:%S}:{frame:02d}"


def _write_cards(
    room: np.ndarray,
    truth: Truth,
    size: SampleSize,
    staging: Path,
    workdir: Path,
    drift_ppm: float,
    progress: ProgressReporter | None,
    debate: S.Debate,
    cards_name: str,
) -> None:
    total = truth.session_duration
    cards = staging / cards_name

    # the separate recorder: started first (session clock 0), clean sound, maybe drifting
    clean = workdir / "recorder.clean.wav"
    recorded = drift(room, drift_ppm)
    write_wav_mono(clean, recorded)
    rec_rel = f"{cards_name}/recorder/ZOOM0001/ZOOM0001_LR.WAV"
    rec_len = len(recorded) / RATE
    record_as_recorder(clean, staging / rec_rel, rec_len)
    started = _creation(debate.start, 0.0, 0.0).isoformat()
    truth.devices.append(
        DeviceTruth("recorder", "recorder", 0.0, drift_ppm, round(rec_len, 6), started,
                    [FileTruth(rec_rel, 0.0, round(rec_len, 6))])
    )  # fmt: skip

    # camera A: wide shot, one file, Sony-like card with an XML sidecar
    a_len = _frames(total - size.camera_a_offset - 0.4, size.fps)
    a_audio = workdir / "A.wav"
    write_wav_mono(workdir / "A.clean.wav", _cut(room, size.camera_a_offset, a_len))
    colour_audio(workdir / "A.clean.wav", a_audio, CAMERA_A_COLOUR, a_len)
    a_rel = f"{cards_name}/cam-a/PRIVATE/M4ROOT/CLIP/C0001.MP4"
    a_created = _creation(debate.start, size.camera_a_offset, 2.0)
    look_a = CameraLook("A", "CAMERA A - plan large", size.width, size.height, size.fps,
                        size.x264_preset, size.crf)  # fmt: skip
    encode_camera_file(
        a_audio, staging / a_rel, look_a, device_start=0.0, session_offset=size.camera_a_offset,
        seconds=a_len, creation_time=a_created, timecode=_timecode(a_created, size.fps),
        progress=progress,
    )  # fmt: skip
    (staging / a_rel).with_name("C0001M01.XML").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<NonRealTimeMeta xmlns="urn:schemas-professionalDisc:nonRealTimeMeta:ver.2.00">\n'
        f'  <Duration value="{round(a_len * size.fps)}"/>\n'
        f'  <CreationDate value="{a_created.isoformat()}"/>\n'
        "</NonRealTimeMeta>\n",
        encoding="utf-8",
    )
    truth.devices.append(
        DeviceTruth("A", "wide", size.camera_a_offset, 0.0, a_len, a_created.isoformat(),
                    [FileTruth(a_rel, 0.0, a_len)])
    )  # fmt: skip

    # camera B: close-up, started later, GoPro-like chapters
    b_len = _frames(total - size.camera_b_offset - 1.0, size.fps)
    b_audio = workdir / "B.wav"
    write_wav_mono(workdir / "B.clean.wav", _cut(room, size.camera_b_offset, b_len))
    colour_audio(workdir / "B.clean.wav", b_audio, CAMERA_B_COLOUR, b_len)
    coloured, _ = read_wav_mono(b_audio)
    # split on a multiple of 0.32 s: a whole number of video frames and of AAC frames
    split = round(b_len * 0.55 / 0.32) * 0.32
    b_created = _creation(debate.start, size.camera_b_offset, -3.0)
    face = write_face(workdir / "face.png", size.height * 3 // 5, size.height * 4 // 5)
    look_b = CameraLook("B", "CAMERA B - plan serre", size.width, size.height, size.fps,
                        size.x264_preset, size.crf, face)  # fmt: skip
    b_truth = DeviceTruth("B", "close", size.camera_b_offset, 0.0, b_len, b_created.isoformat())
    for chapter, (start, end) in enumerate(((0.0, split), (split, b_len)), start=1):
        part = workdir / f"B.part{chapter}.wav"
        write_wav_mono(part, coloured[int(round(start * RATE)) : int(round(end * RATE))])
        rel = f"{cards_name}/cam-b/DCIM/100GOPRO/GX{chapter:02d}0042.MP4"
        encode_camera_file(
            part, staging / rel, look_b, device_start=start, session_offset=size.camera_b_offset,
            seconds=round(end - start, 6), creation_time=b_created + timedelta(seconds=start),
            timecode=None, progress=progress,
        )  # fmt: skip
        b_truth.files.append(FileTruth(rel, round(start, 6), round(end - start, 6)))
    truth.devices.append(b_truth)
    assert cards.is_dir()


def generate_sample(
    out_dir: Path,
    *,
    tiny: bool = False,
    drift_ppm: float = 80.0,
    force: bool = False,
    progress: ProgressReporter | None = None,
    debate: S.Debate = S.FOOD,
) -> SampleResult:
    """Write ``out_dir/cards``, ``out_dir/<slug>/`` and ``out_dir/truth.json`` (for another
    debate than the sample's: ``cards-<slug>`` and ``truth-<slug>.json``, so several
    Rencontres of one cycle sit side by side).

    Everything is built in a staging folder and moved into place at the end, so an
    interrupted run leaves nothing half-made under the final names.
    """
    size = TINY if tiny else DEMO
    size = replace(size, script=debate.tiny_script if tiny else debate.demo_script)
    if not -500 <= drift_ppm <= 500:
        raise ConfigError("--drift-ppm must be between -500 and 500 (real recorders: 50-150)")
    own = debate is S.FOOD
    cards_name = "cards" if own else f"cards-{debate.slug}"
    truth_name = "truth.json" if own else f"truth-{debate.slug}.json"
    targets = [out_dir / cards_name, out_dir / debate.slug, out_dir / truth_name]
    existing = [t for t in targets if t.exists()]
    if existing and not force:
        names = ", ".join(str(t) for t in existing)
        raise ConfigError(f"{names} already exist; use --force to replace the sample")
    if existing and not (out_dir / truth_name).is_file():
        # without the sample's own marker these may be real cards or a real session
        names = ", ".join(str(t) for t in existing)
        raise ConfigError(f"{names} exist but {out_dir} holds no sample (no {truth_name}); "
                          "choose an empty folder")  # fmt: skip
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".capture-samples-", dir=out_dir))
    try:
        workdir = staging / "work"
        workdir.mkdir()
        room, truth = _mix_room(size, workdir, debate)
        _write_cards(room, truth, size, staging, workdir, drift_ppm, progress, debate, cards_name)
        session = staging / debate.slug
        scaffold_folders(session)
        write_logo(session)
        write_photo(session)
        write_synthesis(session, debate)
        write_yaml(
            session / "session.yaml",
            "# Sample Rencontre generated by `capture samples` (synthetic voices and cameras).\n",
            sample_session(debate, cards_name),
        )
        # the tiny sample's tests make their own social clips; the demo shows them
        full, highlights = cue_lists(truth, debate.speakers, social=not tiny)
        if not tiny:  # participants' impressions, recorded at the cocktail, off the clock
            vox_pop = write_vox_pop(session, workdir, size.width, size.height, size.fps)
            highlights = highlights.model_copy(update={"clips": [*highlights.clips, vox_pop]})
        header = "# Times are seconds on the session clock. Generated by `capture samples`.\n"
        write_yaml(session / "cues" / "full.yaml", header, full)
        write_yaml(session / "cues" / "highlights.yaml", header, highlights)
        (staging / truth_name).write_text(
            json.dumps(asdict(truth), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        shutil.rmtree(workdir)
        for target in targets:
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
            (staging / target.name).rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return SampleResult(out_dir, out_dir / debate.slug, out_dir / cards_name,
                        out_dir / truth_name, truth)  # fmt: skip
