"""Transcription quality on the demo Rencontre with the real base model, against the script,
and the subtitles built from it.

Synthetic espeak-ng speech is hard for Whisper base (both engines get most words wrong), so
word error rate is compared with the raw engine on the same sound, not with a fixed figure.
"""

from __future__ import annotations

import pytest

from pipeline.ingest.run import plan_ingest, resolve_sources, run_ingest
from pipeline.recording_sound import RecordingSound
from pipeline.sample_rencontre import script as S
from pipeline.session import LoadedSession, load_session
from pipeline.subtitles.check import check_cues
from pipeline.subtitles.segment import segment_words, transcript_words
from pipeline.sync_session import run_sync
from pipeline.transcription.engines import SAMPLE_RATE
from pipeline.transcription.quality import raw_engine_text, spelled, word_error_rate
from pipeline.transcription.run import (
    choose_source,
    make_engine,
    resolve_model,
    run_transcribe,
)

pytestmark = pytest.mark.slow
START_TOLERANCE_MS = 300


@pytest.fixture(scope="module")
def demo(demo_sample) -> LoadedSession:
    loaded = load_session(demo_sample.session)
    run_ingest(loaded, plan_ingest(loaded, resolve_sources(loaded, [], [])))
    run_sync(loaded)
    return loaded


@pytest.fixture(scope="module")
def transcript(demo):
    return run_transcribe(demo)


def _reference(demo_sample) -> str:
    return " ".join(line.text for line in demo_sample.truth.script)


def test_no_worse_than_the_raw_engine(demo_sample, demo, transcript) -> None:
    source = choose_source(demo)
    audio = RecordingSound(demo.layout, source.recording, SAMPLE_RATE)[:]
    raw = raw_engine_text(resolve_model("base"), audio, "fr")
    reference = _reference(demo_sample)
    ours, theirs = word_error_rate(reference, transcript.text), word_error_rate(reference, raw)
    assert ours <= theirs, (ours, theirs)


def test_words_start_on_time_and_none_in_applause_or_silence(demo_sample, transcript) -> None:
    truth = demo_sample.truth
    starts = [w.start_ms for w in transcript.words]
    for line in truth.script:
        nearest = min(starts, key=lambda ms: abs(ms - line.start * 1000))
        assert abs(nearest - line.start * 1000) <= START_TOLERANCE_MS, line.text
    quiet = [(0.0, truth.script[0].start - 0.3), *truth.applause]
    quiet += [
        (a.end + 0.3, b.start - 0.3) for a, b in zip(truth.script, truth.script[1:], strict=False)
    ]
    for word in transcript.words:
        for first, last in quiet:
            assert not (first * 1000 < word.start_ms < last * 1000), (word, first, last)


def test_speaker_names_spelled_right_with_the_glossary_only(demo_sample, demo, transcript):
    reference = _reference(demo_sample)
    names = [v.name for v in S.CAST.values() if v.name in reference]
    assert len(names) >= 2
    assert [n for n in names if spelled(n, transcript.text)] == names
    # the lines that name them, heard again by the same engine without the glossary
    source = choose_source(demo)
    sound = RecordingSound(demo.layout, source.recording, SAMPLE_RATE)
    engine = make_engine("faster-whisper", "base")
    without = []
    for line in demo_sample.truth.script:
        if any(n in line.text or n.split()[0] in line.text for n in names):
            first, last = (
                round((t - source.offset_s) * (1 + source.drift) * SAMPLE_RATE)
                for t in (line.start - 0.5, line.end + 0.5)
            )
            heard = engine.transcribe(sound[first:last], language="fr", hotwords=None)
            without += [s.text for s in heard]
    assert [n for n in names if not spelled(n, " ".join(without))], "right even without glossary"


def test_subtitles_built_from_the_demo_meet_every_hard_rule(demo, transcript) -> None:
    cues = segment_words(transcript_words(transcript), demo.session.glossary.all_terms())
    assert len(cues) > 20
    assert [v for v in check_cues(cues) if v.hard] == []
