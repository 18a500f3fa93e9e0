"""Transcription quality on the demo Rencontre with the real base model, against the script,
and the subtitles built from it.

Synthetic espeak-ng speech is hard for Whisper base (most words come out wrong), so these
tests check timing, silences, names and subtitle rules, not a word error rate: capture
against the bare engine is measured on real speech (tests/test_real_speech.py, and ``make
bench`` on the whole set), where it matters.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from pipeline.ingest.run import ingest_declared
from pipeline.samples import script as S
from pipeline.session import LoadedSession, load_session
from pipeline.session.cuelist import TransitionType, load_cue_list
from pipeline.subtitles.check import check_cues
from pipeline.subtitles.film_cues import film_cues
from pipeline.subtitles.rules import SubtitleRules
from pipeline.subtitles.segment import segment_words, transcript_words
from pipeline.sync.run import run_sync
from pipeline.timeline.cut_points import REACH_MS, transition_frames
from pipeline.timeline.film_plan import resolve_clips
from pipeline.timeline.pieces import film_pieces, timemap_of
from pipeline.timeline.resolve import resolve_cue_list
from pipeline.timeline.session_sound import session_sound
from pipeline.timeline.speech import BREATH_MS
from pipeline.transcription.glossary import plain_text
from pipeline.transcription.quality import spelled
from pipeline.transcription.run import (
    run_transcribe,
)

pytestmark = pytest.mark.slow
RULES = SubtitleRules(fps=25)
"""The rules at 25 fps, the rate of the sample films."""
START_TOLERANCE_MS = 300
LINES_LOST_PER = 20
"""At most one script line in 20 may go unheard at its start. The base model's int8
arithmetic differs from CPU to CPU: on an Intel Xeon with AVX-512 (BF16, VNNI) it looped
at 119 s of the demo ("acte de masque, c'est un acte de masque") and its next window lost
the facilitator's 6-s question at 128 s, which another CPU heard on time."""


@pytest.fixture(scope="module")
def demo(demo_sample) -> LoadedSession:
    loaded = load_session(demo_sample.session)
    ingest_declared(loaded)
    run_sync(loaded)
    return loaded


@pytest.fixture(scope="module")
def transcript(demo):
    return run_transcribe(demo)


def _reference(demo_sample) -> str:
    return " ".join(line.text for line in demo_sample.truth.script)


def test_words_start_on_time_and_none_in_applause_or_silence(demo_sample, transcript) -> None:
    truth = demo_sample.truth
    starts = [w.start_ms for w in transcript.words]
    late = [line.text for line in truth.script
            if min(abs(ms - line.start * 1000) for ms in starts) > START_TOLERANCE_MS]  # fmt: skip
    assert len(late) <= len(truth.script) // LINES_LOST_PER, late
    quiet = [(0.0, truth.script[0].start - 0.3), *truth.applause]
    quiet += [
        (a.end + 0.3, b.start - 0.3) for a, b in zip(truth.script, truth.script[1:], strict=False)
    ]
    for word in transcript.words:
        for first, last in quiet:
            assert not (first * 1000 < word.start_ms < last * 1000), (word, first, last)


def test_speaker_names_spelled_right_with_the_glossary(demo_sample, demo, transcript):
    reference = _reference(demo_sample)
    names = [v.name for v in S.CAST.values() if v.name in reference]
    assert len(names) >= 2
    assert [n for n in names if spelled(n, transcript.text)] == names


def test_subtitles_built_from_the_demo_meet_every_hard_rule(demo, transcript) -> None:
    cues = segment_words(transcript_words(transcript), demo.session.glossary.all_terms(), RULES)
    assert len(cues) > 20
    assert [v for v in check_cues(cues, RULES) if v.hard] == []


def _quote(words) -> str:
    return json.dumps(" ".join(w.text for w in words))


def _pauses_near(words, moment_ms: int) -> list[tuple[int, int]]:
    """Gaps between the words heard (two breaths or more) within the cuts' reach."""
    gaps, end = [], None
    for word in words:
        if end is not None and word.start_ms - end >= 2 * BREATH_MS:
            gaps.append((end, word.start_ms))
        end = word.end_ms if end is None else max(end, word.end_ms)
    return [(a, b) for a, b in gaps if a < moment_ms + REACH_MS and moment_ms - REACH_MS < b]


def _word_between(words, pause: tuple[int, int], note) -> bool:
    """Whether a whole word lies between ``pause`` and the moment asked, on the side
    that reaching the pause would leave out (or the pause is on the side that loses
    nothing but the cut could not use it: then there is nothing to check)."""
    start, end = pause
    if note.edge == "out" and end <= note.asked_ms:
        return any(end <= w.start_ms and w.end_ms <= note.asked_ms for w in words)
    if note.edge == "in" and start >= note.asked_ms:
        return any(note.asked_ms <= w.start_ms and w.end_ms <= start for w in words)
    return True


def test_every_cut_lands_in_room_tone_and_no_transition_fades_a_word(demo, transcript) -> None:
    """Snapped cuts landed inside words (80 ms outside the word asked, whatever came next) and
    a 0.48 s crossfade put the quoted first word under the outgoing clip's last one. Checked
    on the demo's cue lists and on one with quotes, a crossfade, a dip and times inside
    words, against the transcript's words and the sound's level at each cut."""
    words = sorted(transcript.words, key=lambda w: w.start_ms)
    middle = [(w.start_ms + w.end_ms) / 2000 for w in words]
    (demo.folder.cues / "cuts.yaml").write_text(
        "clips:\n"
        f"  - {{from: {_quote(words[10:14])}, to: {_quote(words[40:43])}}}\n"
        f"  - {{from: {_quote(words[80:84])}, to: {_quote(words[120:123])},"
        " transition: {type: crossfade, duration: 0.48}}\n"
        f"  - {{in: {middle[150]}, out: {middle[200]}, transition: {{type: dip, duration: 0.5}}}}\n"
        f"  - {{in: {middle[230]}, out: {middle[300]}, transition: crossfade}}\n",
        encoding="utf-8",
    )
    spoken = [(w.start_ms, w.end_ms) for w in words]
    sound = session_sound(demo)

    def level(ms: float) -> float:
        samples = sound.read(round(ms) - 20, round(ms) + 20).astype(np.float64)
        return 10 * np.log10(np.mean(samples**2) + 1e-12)

    speech = float(np.median([level(m * 1000) for m in middle]))
    checked = 0
    try:
        for name in ("full", "highlights", "cuts"):
            clips = resolve_clips(demo, name)
            for index, clip in enumerate(clips):
                if clip.file is not None:
                    continue  # the demo's vox pop, off the session clock: cut where asked
                said = " ".join(str(note) for note in clip.notes)
                for note in clip.notes:  # is what the note says true of the words heard?
                    if "no pause between words" in note.reason:
                        assert not _pauses_near(words, note.asked_ms), (name, str(note))
                    if "that keeps every word asked" in note.reason:
                        assert _pauses_near(words, note.asked_ms), (name, str(note))
                        for pause in _pauses_near(words, note.asked_ms):
                            assert _word_between(words, pause, note), (name, str(note), pause)
                for cut in (clip.in_ms, clip.out_ms):
                    if "no pause" in said:
                        continue  # the report says so, and it is true (above)
                    assert not [s for s in spoken if s[0] < cut < s[1]], (name, cut, said)
                    assert level(cut) < speech - 15, (name, cut, level(cut), speech)
                    checked += 1
                if index and clip.transition.type != TransitionType.CUT:
                    fade = transition_frames(clip.transition.duration, 25) * 40
                    before = clips[index - 1].out_ms
                    under = [(before - fade, before), (clip.in_ms, clip.in_ms + fade)]
                    faded = [s for s in spoken for a, b in under if s[0] < b and a < s[1]]
                    assert not faded or "it fades" in said, (name, index, faded, said)
    finally:
        (demo.folder.cues / "cuts.yaml").unlink()
    assert checked >= 8  # as many cuts as the sample's own cue lists hold, at least


def test_the_captions_hold_every_word_heard_in_the_film(demo, transcript) -> None:
    """Words under a transition were dropped from the film's captions (each clip kept only
    its own half of the overlap): after a dip, a word heard at film 12.0–12.7 s got its
    caption only at 13.006. Exact cuts in the middle of sentences, so the transitions do
    fade words in and out."""
    words = sorted(transcript.words, key=lambda w: w.start_ms)
    middle = [(w.start_ms + w.end_ms) / 2000 for w in words]
    cue_file = demo.folder.cues / "heard.yaml"
    cue_file.write_text(
        "clips:\n"
        f"  - {{in: {middle[20]}, out: {middle[60]}, exact: true}}\n"
        f"  - {{in: {middle[90]}, out: {middle[130]}, exact: true,"
        " transition: {type: crossfade, duration: 1.0}}\n"
        f"  - {{in: {middle[160]}, out: {middle[200]}, exact: true,"
        " transition: {type: dip, duration: 1.0}}\n",
        encoding="utf-8",
    )
    try:
        cue_list = load_cue_list(demo, "heard")
        clips = resolve_cue_list(demo, "heard", cue_list, 25, words)
        timemap = timemap_of(film_pieces(cue_list, clips, 25, cue_file), 25)
    finally:
        cue_file.unlink()
    cues = film_cues(demo, [], False, timemap, transcript, cue_list=None)
    missing = []
    for span, clip in zip(timemap.spans, clips, strict=True):
        for word in words:
            if not (clip.in_ms <= word.start_ms and word.end_ms <= clip.out_ms):
                continue
            at = span.to_output(word.start_ms)
            shown = [c for c in cues if c.start_ms - 1000 <= at <= c.end_ms + 1000]
            if any(plain_text(word.text) in plain_text(" ".join(c.lines)) for c in shown):
                continue
            # where two clips are heard together and neither cue fits beside the other, the
            # one holding more text stays (retime.spaced_cues): a word may give way, but only
            # to another clip's cue on screen while it is heard
            heard_until = at + word.end_ms - word.start_ms
            if not any(c.start_ms <= heard_until and at <= c.end_ms for c in cues):
                missing.append((word.text, at))
    assert missing == [], missing[:20]
    assert [v for v in check_cues(cues, RULES) if v.hard] == []
