"""The real French speech set (``../shared/speech-fr``) run through capture's own session flow.

Shared by ``make bench`` (``bench_speech.py``) and the tests (``tests/test_real_speech.py``).
The recordings keep their own licences (the SPPAS ones are CC BY-NC-SA): they are read where
they lie and never copied into the package.

Each recording becomes the sound recorder of a one-card session: ``session.yaml`` written
through the session model, the card ingested (verified copy, probe), synced, transcribed by
``run_transcribe`` exactly as ``capture transcribe`` does. The reference is the bare
faster-whisper engine with its own defaults on the same file (it decodes the file itself).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SPEECH_DIR = Path(os.environ.get("CAPTURE_SPEECH_FR", ROOT.parent / "shared" / "speech-fr"))

FILLERS = re.compile(r"\b(euh|heu|hum|hm+|mh+|ben|bah|hein)\b", re.IGNORECASE)
TRUNCATED = re.compile(r"(?<!\S)\S+-(?=\s|$)")
"""Hesitations and truncated words ("p-", "ce-") are in the human references but are not
words anyone reads in a transcript: both engines' texts and the reference lose them alike."""


GLOSSARIES: dict[str, dict[str, list[str]]] = {
    "ej-fra": {"names": ["Éric Joanis"], "places": ["Nunavut"], "acronyms": ["CNRC"]},
    "frint980428": {"names": ["Simon Tivolle", "Patricia"], "places": ["Lyon"]},
    "Sample_3_PFCquebec_CQAAB1": {"places": ["Victoriaville", "Québec", "Montréal"]},
}
"""What a videographer writes in session.yaml's glossary before the evening: the speakers'
names, the places and acronyms of the programme (never the words of the speech itself)."""


def programme_glossary(names: list[str]) -> dict[str, list[str]]:
    """One session's glossary for a programme made of these recordings."""
    merged: dict[str, list[str]] = {}
    for name in names:
        for kind, terms in GLOSSARIES.get(name, {}).items():
            merged.setdefault(kind, [])
            merged[kind] += [t for t in terms if t not in merged[kind]]
    return merged


@dataclass(frozen=True)
class Recording:
    path: Path
    reference: str | None
    """None: no usable reference; "" for non-speech (the right transcript is empty)."""
    kind: str  # "speech", "nonspeech" or "turns" (speaker turns only)

    @property
    def name(self) -> str:
        return self.path.stem


def available() -> bool:
    return (SPEECH_DIR / "manifest.json").is_file()


def recordings() -> list[Recording]:
    """Every recording of the set with its reference."""
    found = []
    for entry in json.loads((SPEECH_DIR / "manifest.json").read_text(encoding="utf-8")):
        path = SPEECH_DIR / entry["file"]
        if path.parent.name == "nonspeech":
            found.append(Recording(path, "", "nonspeech"))
            continue
        plain = path.with_suffix(".ref.plain.txt")
        text = plain if plain.is_file() else path.with_suffix(".ref.txt")
        if text.is_file():
            found.append(Recording(path, text.read_text(encoding="utf-8").strip(), "speech"))
        else:
            found.append(Recording(path, None, "turns"))
    return found


def by_name(name: str) -> Recording:
    return next(r for r in recordings() if r.name == name)


def duration(path: Path) -> float:
    """Seconds, by ffprobe."""
    import subprocess

    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "json", str(path)],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return float(json.loads(out)["format"]["duration"])


def comparable(text: str) -> str:
    """Text with hesitations and truncated words removed and numbers in figures (before WER
    normalisation): "trois" and "3", "trente six" and "36" are the same words to a reader,
    and the human references, like the model, write them both ways."""
    from text_to_num import alpha2digit

    return alpha2digit(FILLERS.sub(" ", TRUNCATED.sub(" ", text)), "fr")


def wer(reference: str, hypothesis: str) -> float:
    from pipeline.transcription.quality import word_error_rate

    return word_error_rate(comparable(reference), comparable(hypothesis))


def make_session(
    root: Path,
    sound: Path,
    *,
    speakers: list[dict] | None = None,
    glossary: dict | None = None,
) -> Path:
    """A session folder whose only card (a scratch copy of ``sound``: ingest does not follow
    links) is the recorder's; returns the session folder."""
    from pipeline.session import Session

    card = root / "card"
    card.mkdir(parents=True, exist_ok=True)
    copy = card / sound.name
    if not copy.exists():
        shutil.copyfile(sound, copy)
    session_dir = root / "session"
    session_dir.mkdir(exist_ok=True)
    data = {
        "slug": "parole-reelle",
        "title": f"Parole réelle : {sound.stem}",
        "date": "2026-03-12",
        "language": "fr",
        "speakers": speakers or [],
        "cameras": [{"name": "recorder", "role": "recorder", "label": "Enregistreur"}],
        "sources": [{"path": str(card), "camera": "recorder"}],
        "glossary": glossary or {},
    }
    Session.model_validate(data)  # the same schema capture reads
    (session_dir / "session.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    return session_dir


def ingest_and_sync(session_dir: Path):
    """``capture ingest`` as the CLI does it (sources from session.yaml), then sync."""
    from pipeline.ingest.run import ingest_declared
    from pipeline.session import load_session
    from pipeline.sync.run import run_sync

    loaded = load_session(session_dir)
    ingest_declared(loaded)
    run_sync(loaded)
    return loaded


PROGRAMME_RATE = 48_000


@dataclass(frozen=True)
class Placed:
    """One piece of a programme: where it lies (seconds) and what should be heard."""

    name: str
    start_s: float
    end_s: float
    reference: str
    kind: str


def _decoded(path: Path, rate: int = PROGRAMME_RATE):
    """The file as mono float32 at ``rate`` (bare ffmpeg, independent of capture)."""
    import subprocess

    import numpy as np

    raw = subprocess.run(
        ["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-ac", "1", "-ar", str(rate),
         "-f", "f32le", "-"],
        check=True, capture_output=True,
    ).stdout  # fmt: skip
    return np.frombuffer(raw, dtype=np.float32)


DEBATE_ORDER = [
    "musan_music-hd-0048_from_inaSpeechSegmenter",  # the room fills, music
    "ej-fra",  # the facilitator's opening
    "frozen-bubble_applause",
    "F_F_B003_P8", "F_F_B003_P9",  # first speaker
    "frozen-bubble_applause",
    "frint980428",  # a radio extract played to the room (jingle, music under speech)
    "Sample_1_PFCquebec_CQAAB1", "Sample_1_PFCquebec_CQAGS1",  # questions from the room
    "Sample_2_PFCquebec_CQAAB1", "Sample_2_PFCquebec_CQAGS1", "Sample_3_PFCquebec_CQAAB1",
    "musan_noise-free-sound-0442_from_inaSpeechSegmenter",  # the break
    "F_F_C006_P6", "demo",  # second speaker, numbers
    "AC_track_0379", "BX_track_0451", "EB_track_0641", "IM_track_0767", "MB_track_0674",
    "MG_track_0702", "ML_track_0597", "NH_track_636", "SR_track_631", "YM_track_0182",
    "test_fr",
    "frozen-bubble_applause",
]  # fmt: skip
"""A Rencontre's shape: music, an opening, talks with applause, a radio extract, questions,
a noisy break, more talks, spontaneous exchanges, closing applause (about 4.6 minutes)."""


def build_programme(
    out: Path, order: list[str], *, rounds: int = 1, gap_s: float = 1.5, noise_db: float = -42
) -> list[Placed]:
    """A debate-like recorder file (48 kHz stereo WAV) from the real set: the pieces of
    ``order`` end to end (``rounds`` times, each round in another order after the first),
    with pauses between and a room noise that never repeats under everything. Returns where
    each piece lies, with its reference (empty for music, noise and applause)."""
    import random
    import wave

    import numpy as np

    by = {r.name: r for r in recordings()}
    rng = np.random.default_rng(7)
    shuffle = random.Random(7)
    parts, placed, clock = [], [], 0.0
    for round_index in range(rounds):
        names = list(order)
        if round_index:
            shuffle.shuffle(names)
        for name in names:
            recording = by[name]
            sound = _decoded(recording.path)
            pause = np.zeros(round(gap_s * PROGRAMME_RATE), dtype=np.float32)
            parts += [sound, pause]
            end = clock + len(sound) / PROGRAMME_RATE
            placed.append(Placed(name, clock, end, recording.reference or "", recording.kind))
            clock = end + gap_s
    programme = np.concatenate(parts)
    # room noise: brown-ish (integrated white noise, leaky), never the same twice
    white = rng.standard_normal(len(programme)).astype(np.float32)
    room = np.empty_like(white)
    acc = 0.0
    block = 48_000
    for first in range(0, len(white), block):  # leaky integration, block by block
        piece = white[first : first + block]
        out_piece = np.empty_like(piece)
        for i, value in enumerate(piece[::48]):  # 1 kHz control rate, then held
            acc = 0.995 * acc + value
            out_piece[i * 48 : (i + 1) * 48] = acc
        room[first : first + block] = out_piece
    room = room / (np.sqrt(np.mean(room**2)) + 1e-9) * 10 ** (noise_db / 20)
    mixed = np.clip(programme + room + white * 10 ** ((noise_db - 12) / 20), -1, 1)
    pcm = (mixed * 32767).astype("<i2")
    out.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(out), "wb") as handle:
        handle.setnchannels(2)
        handle.setsampwidth(2)
        handle.setframerate(PROGRAMME_RATE)
        handle.writeframes(np.repeat(pcm, 2).tobytes())
    return placed
