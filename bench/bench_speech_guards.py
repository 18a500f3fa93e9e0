"""What each transcription guard is worth on real speech: the pipeline with one guard off.

Run alone (``make bench-guards``; about 45 minutes on 2 cores). Every
recording of ``../shared/speech-fr`` with a reference, and the debate-like programme of
``bench_speech``, go through capture's session flow once with every guard and once per
guard switched off. A guard earns its place when switching it off makes the word error rate
or the words written on music, noise and applause worse somewhere, and costs nothing
elsewhere.
"""

from __future__ import annotations

import shutil
import sys
from contextlib import contextmanager
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]
CACHE = HERE / ".cache" / "speech-guards"


@contextmanager
def _without(guard: str):
    """The pipeline with one guard switched off (patched for this benchmark only)."""
    from pipeline.transcription import engines, guards, passes, timing

    saved = []

    def patch(owner, name, value):
        saved.append((owner, name, getattr(owner, name)))
        setattr(owner, name, value)

    if guard == "temperature fallback":
        options = dict(engines.FasterWhisperEngine.options, temperature=0.0)
        patch(engines.FasterWhisperEngine, "options", options)
    elif guard == "voice activity words":
        patch(passes, "_voiced", lambda segments, voice: segments)
    elif guard == "second look":
        patch(timing, "uncovered_sound", lambda *args, **kwargs: [])
    elif guard == "quiet words":
        patch(guards, "audible", lambda *args, **kwargs: True)
    elif guard == "segment guards":  # credit lines, non-speech segments, unsure scraps, loops
        patch(guards, "clean_segment", lambda segment: segment)
    elif guard == "word timing":
        patch(timing, "tighten", lambda words, *args: words)
        patch(timing, "snap_onsets", lambda words, *args: words)
    elif guard == "fresh start after breaks":
        patch(passes, "BREAK_MS", 10**9)
    elif guard == "lost words":
        patch(timing, "split_at_lost_words", lambda words: [words] if words else [])
    elif guard == "16-bit input":
        patch(engines, "as_pcm16", lambda audio: audio)
    try:
        yield
    finally:
        for owner, name, value in reversed(saved):
            setattr(owner, name, value)


ON_REQUEST = True
"""Not part of ``make bench``: ``make bench-guards`` runs it."""

GUARDS = [
    "all on",
    "temperature fallback",
    "voice activity words",
    "second look",
    "quiet words",
    "segment guards",
    "word timing",
    "fresh start after breaks",
    "lost words",
    "16-bit input",
]


def run() -> dict:
    import realspeech as R

    from pipeline.transcription.quality import longest_repeat
    from pipeline.transcription.run import make_engine, run_transcribe

    if not R.available():
        return {"skipped": f"no real speech set at {R.SPEECH_DIR}"}
    programme = CACHE / "programme" / "rencontre-reelle.wav"
    placed = R.build_programme(programme, R.DEBATE_ORDER, rounds=2, gap_s=3.0)
    engine = make_engine("faster-whisper", "base")
    recordings = [r for r in R.recordings() if r.reference is not None]
    sessions = {}
    for index, recording in enumerate(recordings):
        root = CACHE / f"{index:02d}-{recording.name}"
        shutil.rmtree(root, ignore_errors=True)
        glossary = R.GLOSSARIES.get(recording.name)
        sessions[recording.name] = R.ingest_and_sync(
            R.make_session(root, recording.path, glossary=glossary)
        )
    shutil.rmtree(CACHE / "programme-session", ignore_errors=True)
    programme_session = R.ingest_and_sync(
        R.make_session(
            CACHE / "programme-session",
            programme,
            glossary=R.programme_glossary(R.DEBATE_ORDER),
        )
    )
    reference = " ".join(p.reference for p in placed if p.reference)

    def transcribe(loaded):
        shutil.rmtree(loaded.folder.work / "transcribe", ignore_errors=True)
        return run_transcribe(loaded, engine=engine)

    results = {}
    for guard in GUARDS:
        with _without(guard):
            row: dict = {"wer": {}, "nonspeech_words": 0}
            for recording in recordings:
                text = transcribe(sessions[recording.name]).text
                if recording.kind == "nonspeech":
                    row["nonspeech_words"] += len(R.comparable(text).split())
                else:
                    row["wer"][recording.name] = round(R.wer(recording.reference, text), 4)
            transcript = transcribe(programme_session)
            words = [(w.start_ms / 1000, w.end_ms / 1000) for w in transcript.words]
            row["programme_wer"] = round(R.wer(reference, transcript.text), 4)
            row["programme_nonspeech_words"] = sum(
                1
                for p in placed
                if p.kind == "nonspeech"
                for a, b in words
                if p.start_s <= (a + b) / 2 < p.end_s
            )
            row["programme_longest_repeat"] = longest_repeat(transcript.text)[0]
            row["mean_wer"] = round(sum(row["wer"].values()) / len(row["wer"]), 4)
        results[guard] = row
        print(guard, {k: v for k, v in row.items() if k != "wer"}, flush=True)
    baseline = results["all on"]["wer"]
    for row in results.values():
        row["worse_without"] = [n for n, w in row["wer"].items() if w > baseline[n]]
        row["better_without"] = [n for n, w in row["wer"].items() if w < baseline[n]]
    return results
