"""Sound cues for the deaf and hard of hearing: applause found in real recordings (not in
real speech, music, noise or a radio jingle), and "[Applaudissements]" placed in the room
the speech cues leave."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
import realspeech as R  # noqa: E402

from pipeline.subtitles.cues import Cue  # noqa: E402
from pipeline.subtitles.rules import SubtitleRules  # noqa: E402
from pipeline.subtitles.sound_cues import with_sound_cues  # noqa: E402
from pipeline.transcription.sounds import applause  # noqa: E402

RATE = 16_000
real = pytest.mark.skipif(not R.available(), reason=f"no real speech set at {R.SPEECH_DIR}")


def _mono(path: Path) -> np.ndarray:
    import subprocess

    raw = subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-ac", "1",
                          "-ar", str(RATE), "-f", "f32le", "-"],
                         check=True, capture_output=True).stdout  # fmt: skip
    return np.frombuffer(raw, dtype=np.float32)


@real
def test_applause_is_found_in_a_real_programme_and_nothing_else(tmp_path: Path) -> None:
    """The debate-shaped programme of the real set (music, talks, three rounds of applause,
    a radio jingle with music under speech, a noisy break), under a room noise: every
    applause is found, and nothing where speech is (its pieces given as words), music,
    noise or the jingle."""
    placed = R.build_programme(tmp_path / "programme.wav", R.DEBATE_ORDER)
    audio = _mono(tmp_path / "programme.wav")
    speech = [(round(p.start_s * 1000), round(p.end_s * 1000)) for p in placed if p.reference]
    found = applause(audio, RATE, speech)
    claps = [p for p in placed if p.name == "frozen-bubble_applause"]
    assert len(found) == len(claps) == 3
    for span, clap in zip(found, claps, strict=True):
        assert abs(span.start_ms / 1000 - clap.start_s) <= 0.5
        assert abs(span.end_ms / 1000 - clap.end_s) <= 0.5


@real
def test_real_speech_with_no_words_given_is_never_taken_for_applause() -> None:
    """Even where the transcript missed every word (none given), breath and fricatives in
    real speech are not applause; nor are music and street noise."""
    for recording in R.recordings():
        if recording.name == "frozen-bubble_applause":
            continue
        assert applause(_mono(recording.path), RATE, []) == [], recording.name


def test_a_sound_cue_takes_only_the_room_speech_leaves() -> None:
    rules = SubtitleRules(fps=25)
    speech = [Cue(0, 2000, ("Bonsoir à tous.",)), Cue(9000, 11000, ("Merci.",))]
    placed = with_sound_cues(speech, [(1500, 30_000, "applause")], rules)
    sound = [c for c in placed if c.lines == ("[Applaudissements]",)]
    assert [(c.start_ms, c.end_ms) for c in sound] == [(2000 + rules.min_gap_ms,
                                                        9000 - rules.min_gap_ms)]  # fmt: skip
    long = with_sound_cues([], [(0, 30_000, "applause")], rules)
    assert [(c.start_ms, c.end_ms) for c in long] == [(0, rules.max_duration_ms)]
    squeezed = with_sound_cues(speech, [(2100, 2600, "applause")], rules)
    assert squeezed == speech, "too short to read between two cues: speech wins"
    under = with_sound_cues(speech, [(500, 1500, "applause")], rules)
    assert under == speech, "applause under a caption is not captioned"


@pytest.mark.slow
def test_applause_reaches_every_film_s_captions(ingested, tiny_sample) -> None:
    """The transcript's applause (here the sample's, at the truth's time) is captioned in
    the full version between the lines around it, and in the review master."""
    from conftest import script_transcript

    from pipeline.session.artifacts.transcript import SoundEvent, write_transcript
    from pipeline.subtitles.formats import read_subtitles
    from pipeline.subtitles.run import build_subtitles, write_review_package

    start, end = tiny_sample.truth.applause[0]
    event = SoundEvent(start_ms=round(start * 1000), end_ms=round(end * 1000), kind="applause")
    transcript = script_transcript(tiny_sample.truth).model_copy(update={"sounds": [event]})
    write_transcript(transcript, ingested.folder)
    report = build_subtitles(ingested)
    assert [str(v) for v in report.violations if v.hard] == []
    film = read_subtitles(ingested.root / "subtitles" / "full.fr.srt")
    sound = [i for i, c in enumerate(film) if c.lines == ("[Applaudissements]",)]
    assert len(sound) == 1
    before, after = film[sound[0] - 1], film[sound[0] + 1]
    assert "bienvenue" in before.text and "ferme" in after.text
    master, _ = write_review_package(ingested)
    assert sum(c.lines == ("[Applaudissements]",) for c in read_subtitles(master)) == 1
