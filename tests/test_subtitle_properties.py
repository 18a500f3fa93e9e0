"""Property tests: no generated cue breaks a hard rule, whatever the transcript (GUIDE §3).

Hypothesis writes transcripts a real debate can produce and a few it should not: speech
faster than anyone reads, words Whisper gave no time at all, words longer than a line,
numbers, no pause for minutes, two speakers talking over each other. Whatever comes in,
every cue has at most two lines of 42 characters, lasts 5/6 s to 7 s, leaves two frames
before the next, never overlaps it and never starts before its first word; speech too fast
to read verbatim is flagged for the reviewer instead.
"""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.session.artifacts.transcript import Segment, Transcript, TranscriptSource, Word
from pipeline.subtitles.check import Severity, check_cues
from pipeline.subtitles.rules import SubtitleRules
from pipeline.subtitles.segment import segment_words, transcript_words

RULES = SubtitleRules(fps=25)
"""The rules at 25 fps, the rate of the sample films."""

VOCABULARY = [
    "la", "métropole", "l'", "agriculture", "de", "proximité", "et", "nous", "avons", "vu",
    "que", "les", "circuits", "courts", "anticonstitutionnellement", "2040", "1 500", "PAT",
    "Nadia", "Benali", "?", "c'est-à-dire", "aujourd'hui", "euh", "oui,", "non.", "12,5 %",
    "qu'", "Saint-Germain-au-Mont-d'Or", "intercommunalités", "«", "»", "!", "3",
]  # fmt: skip
SPEAKERS = [None, "Claire Martin", "Jacques Dubois"]

words_text = st.one_of(
    st.sampled_from(VOCABULARY),
    st.text(alphabet="abcdéèêàçôûïefghilmnoprstuv-'", min_size=1, max_size=60),
    st.integers(min_value=0, max_value=10**9).map(str),
)


@st.composite
def transcripts(draw) -> Transcript:
    """Segments by speaker; each next segment may start before the previous one ends
    (overlapping speakers), words may last nothing or seconds, pauses may be absent."""
    segments = []
    clock = draw(st.integers(min_value=0, max_value=5000))
    for _ in range(draw(st.integers(min_value=1, max_value=8))):
        clock = max(0, clock + draw(st.integers(min_value=-1500, max_value=3000)))
        words = []
        for _ in range(draw(st.integers(min_value=1, max_value=25))):
            clock += draw(st.sampled_from([0, 0, 0, 20, 60, 150, 400, 1300]))
            length = draw(st.sampled_from([0, 1, 30, 80, 120, 200, 350, 900, 8000]))
            words.append(
                Word(
                    text=draw(words_text),
                    start_ms=clock,
                    end_ms=clock + length,
                    probability=draw(st.floats(min_value=0, max_value=1)),
                )
            )
            clock += length
        segments.append(
            Segment(
                start_ms=words[0].start_ms,
                end_ms=words[-1].end_ms,
                text=" ".join(w.text for w in words),
                words=words,
                speaker=draw(st.sampled_from(SPEAKERS)),
            )
        )
    return _transcript(segments)


def _transcript(segments: list[Segment]) -> Transcript:
    return Transcript(
        engine="test",
        model="none",
        language="fr",
        parameters={},
        source=TranscriptSource(recording="r", offset_s=0.0, drift_ppm=0.0),
        created_at=datetime.now(UTC),
        segments=segments,
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(transcripts(), st.lists(st.sampled_from(["Nadia Benali", "PAT"]), max_size=2))
def test_no_generated_cue_breaks_a_hard_rule(transcript: Transcript, glossary) -> None:
    words = transcript_words(transcript)
    cues = segment_words(words, glossary, RULES)
    hard = [str(v) for v in check_cues(cues, RULES) if v.severity is Severity.HARD]
    assert hard == []
    # every word is shown once, in order (a word longer than a line is cut into pieces
    # ending in a hyphen, so the text is compared without hyphens)
    shown = "".join(w.text for cue in cues for w in cue.words).replace("-", "")
    assert shown == "".join(w.text for w in words).replace("-", "")
    for cue in cues:
        assert cue.words and cue.start_ms >= cue.words[0].start_ms
        assert len(cue.lines) <= RULES.max_lines
    for before, after in zip(cues, cues[1:], strict=False):
        assert after.start_ms - before.end_ms >= RULES.min_gap_ms


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=25, max_value=60), st.integers(min_value=10, max_value=80))
def test_speech_too_fast_to_read_is_flagged_not_broken(chars_per_second, count) -> None:
    """A speaker at ``chars_per_second`` with no pause: cues keep the hard rules, and the
    ones that cannot be read in the time the speech gives are flagged for the reviewer."""
    text = "proximité"  # 9 characters and a space: 10 read characters a word
    step = round(10 * 1000 / chars_per_second)
    words = [
        Word(text=text, start_ms=i * step, end_ms=(i + 1) * step, probability=0.9)
        for i in range(count)
    ]
    transcript = _transcript([Segment(start_ms=0, end_ms=count * step, text="", words=words)])
    cues = segment_words(transcript_words(transcript), [], RULES)
    found = check_cues(cues, RULES)
    assert [v for v in found if v.hard] == []
    flagged = [v for v in found if v.severity is Severity.REVIEW]
    too_fast = [c for c in cues if len(" ".join(c.lines)) * 1000 / c.duration_ms > RULES.max_cps]
    assert len(flagged) == len(too_fast)
    for violation in flagged:
        assert "à condenser" in str(violation) and "caractères/s" in violation.detail
