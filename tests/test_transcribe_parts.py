"""Transcription parts on real sound: the channel mix, speaker labels, the openai-whisper
engine on a tiny random checkpoint, glossary spelling and word onsets."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from conftest import ffmpeg

from pipeline.audio.sound import RecordingSound
from pipeline.core.tools import ESPEAK, find_tool
from pipeline.samples.audio import read_wav_mono
from pipeline.session import SessionFolder
from pipeline.session.artifacts.ingest import Recording
from pipeline.session.artifacts.transcript import Segment, Word, join_words
from pipeline.transcription import guards
from pipeline.transcription.glossary import correct_spelling
from pipeline.transcription.passes import _stretches
from pipeline.transcription.speakers import channel_map, label_speakers
from pipeline.transcription.timing import (
    snap_onsets,
    split_at_lost_words,
    tighten,
    uncovered_sound,
)

RATE = 16_000


def _speech(tmp_path: Path, text: str, name: str) -> np.ndarray:
    wav = tmp_path / f"{name}.wav"
    subprocess.run([str(find_tool(ESPEAK)), "-v", "fr", "-w", str(wav), text], check=True)
    samples, rate = read_wav_mono(wav)
    positions = np.arange(int(len(samples) * RATE / rate)) * rate / RATE
    return np.interp(positions, np.arange(len(samples)), samples).astype(np.float32)


def _recording(folder: SessionFolder, *parts: tuple[str, np.ndarray]) -> Recording:
    """A recording made of WAV chapters written by ffmpeg from (name, samples x channels)."""
    folder.media.mkdir(parents=True, exist_ok=True)
    names, durations = [], []
    for name, data in parts:
        raw = folder.root / f"{name}.f32"
        data.astype("<f4").tofile(raw)
        ffmpeg("-f", "f32le", "-ar", str(RATE), "-ac", str(data.shape[1]), "-i", raw,
               "-c:a", "pcm_s16le", folder.media / f"{name}.wav")  # fmt: skip
        names.append(f"{name}.wav")
        durations.append(len(data) / RATE)
    return Recording(
        id="recorder/take",
        camera="recorder",
        files=names,
        part_durations=durations,
        duration_s=sum(durations),
        has_video=False,
        has_audio=True,
        usable=True,
    )


def test_a_silent_or_inverted_channel_does_not_spoil_the_mix(tmp_path) -> None:
    voice = _speech(tmp_path, "Bonsoir à toutes et à tous.", "v")
    four = np.stack([voice, -voice, np.zeros_like(voice), 0.5 * voice], axis=1) * 0.5
    folder = SessionFolder(tmp_path / "s")
    sound = RecordingSound(folder, _recording(folder, ("a", four)), RATE)
    assert sound.channels == 4
    assert list(np.sign(sound.mix_weights)) == [1, -1, 0, 1]
    mono = sound[:]
    reference = 0.5 * voice
    assert np.corrcoef(mono, reference)[0, 1] > 0.99
    assert np.sqrt(np.mean(mono**2)) > 0.8 * np.sqrt(np.mean(reference**2))


def test_chapters_are_read_as_one_sound_by_range(tmp_path) -> None:
    rng = np.random.default_rng(1)
    first, second = (rng.uniform(-0.5, 0.5, (RATE * n, 1)).astype(np.float32) for n in (2, 3))
    folder = SessionFolder(tmp_path / "s")
    sound = RecordingSound(folder, _recording(folder, ("p1", first), ("p2", second)), RATE)
    assert len(sound) == 5 * RATE
    across = sound[RATE * 2 - 100 : RATE * 2 + 100]
    expected = np.concatenate([first[-100:, 0], second[:100, 0]])
    assert np.allclose(across, expected, atol=1e-4)  # 16-bit WAV round trip


def _word(text: str, start: int, end: int) -> Word:
    return Word(text=text, start_ms=start, end_ms=end, probability=0.9)


def test_segments_split_and_labelled_by_the_loudest_microphone(tmp_path) -> None:
    one = _speech(tmp_path, "Bonsoir.", "a")
    two = _speech(tmp_path, "Merci beaucoup.", "b")
    gap = np.zeros(RATE // 2, dtype=np.float32)
    track1 = np.concatenate([one, gap, 0.05 * two])  # each lavalier hears the other faintly
    track2 = np.concatenate([0.05 * one, gap, two])
    channels = np.stack([track1, track2], axis=1)
    end_one, start_two = len(one) * 1000 // RATE, (len(one) + len(gap)) * 1000 // RATE
    words = [
        _word("Bonsoir.", 0, end_one),
        _word("Merci", start_two, start_two + 300),
        _word("beaucoup.", start_two + 300, len(channels) * 1000 // RATE),
    ]
    segment = Segment(start_ms=0, end_ms=words[-1].end_ms, text="Bonsoir. Merci beaucoup.",
                      words=words)  # fmt: skip
    from pipeline.session import Session

    session = Session.model_validate(
        {
            "slug": "s",
            "title": "T",
            "date": "2026-03-12",
            "facilitator": {"name": "Claire Martin", "channel": 1},
            "speakers": [{"name": "Nadia Benali", "channel": 2}, {"name": "Sans micro"}],
        }
    )
    mapping = channel_map(session, 2)
    assert mapping == {0: "Claire Martin", 1: "Nadia Benali"}
    labelled = label_speakers([segment], lambda a, b: channels[a:b], RATE, mapping)
    assert [(s.speaker, s.text) for s in labelled] == [
        ("Claire Martin", "Bonsoir."),
        ("Nadia Benali", "Merci beaucoup."),
    ]
    assert labelled[1].start_ms == start_two


@pytest.fixture
def tiny_checkpoint(tmp_path) -> Path:
    """A randomly initialised Whisper checkpoint (1 layer, 64 wide) in openai-whisper's
    format: no real weights exist offline, but loading and decoding are the real code. Its
    text context is 64 tokens, so a window decodes at most 32: a random model never stops
    early, and at Whisper's 448 the temperature fallback took two minutes."""
    torch = pytest.importorskip("torch")
    model_module = pytest.importorskip("whisper.model")
    torch.manual_seed(0)
    dims = model_module.ModelDimensions(
        n_mels=80, n_audio_ctx=1500, n_audio_state=64, n_audio_head=2, n_audio_layer=1,
        n_vocab=51865, n_text_ctx=64, n_text_state=64, n_text_head=2, n_text_layer=1,
    )  # fmt: skip
    model = model_module.Whisper(dims)
    # Whisper leaves the decoder's positions as torch.empty (a real checkpoint fills them):
    # whatever memory held, sometimes NaN, which made decoding fail one run in four
    torch.nn.init.normal_(model.decoder.positional_embedding, std=0.02)
    path = tmp_path / "tiny-random.pt"
    torch.save({"dims": dims.__dict__, "model_state_dict": model.state_dict()}, path)
    return path


def test_openai_whisper_engine_loads_and_decodes_a_checkpoint(tmp_path, tiny_checkpoint):
    from pipeline.transcription.run import make_engine

    engine = make_engine("openai-whisper", str(tiny_checkpoint))
    assert engine.name == "openai-whisper" and engine.model.dims.n_text_state == 64
    silence = np.zeros(RATE * 2, dtype=np.float32)
    audio = np.concatenate([silence, _speech(tmp_path, "Bonsoir à toutes et à tous.", "s")])
    segments = engine.transcribe(audio, language="fr", hotwords="Claire Martin")
    # a random model may decode only special tokens (nothing to keep) or garbage words:
    # either way the real load, VAD and decode path ran, and what comes out is well formed
    duration_ms = len(audio) * 1000 // RATE
    for segment in segments:
        assert segment.words and all(0 <= w.probability <= 1 for w in segment.words)
        # nothing before the speech (VAD pads regions by 0.4 s): the regions drive the times
        assert 1500 <= segment.start_ms <= segment.end_ms <= duration_ms + 50
    again = engine.transcribe(audio, language="fr", hotwords="Claire Martin")
    assert again == segments  # greedy decoding: a resumed run gives the same words
    kept = [guards.clean_segment(s) for s in segments]
    assert all(
        s is None or len(s.words) <= len(o.words) for s, o in zip(kept, segments, strict=True)
    )


def test_an_unknown_engine_or_checkpoint_is_a_clear_error(tmp_path) -> None:
    from pipeline.transcription.model_store import ModelError
    from pipeline.transcription.run import make_engine

    with pytest.raises(Exception, match="unknown engine 'whisper-x'"):
        make_engine("whisper-x", "base")
    with pytest.raises(ModelError, match="no such openai-whisper checkpoint"):
        make_engine("openai-whisper", str(tmp_path / "missing.pt"))


def _segment(text: str) -> Segment:
    words = [_word(t, i * 300, i * 300 + 250) for i, t in enumerate(text.split())]
    return Segment(start_ms=0, end_ms=words[-1].end_ms, text=text, words=words)


TERMS = ["Claire Martin", "Jacques Dubois", "Nadia Benali", "Val de Saône", "PAT", "Egalim"]


@pytest.mark.parametrize(
    ("heard", "written"),
    [
        ("D'Ana Benali, la métropole", "Nadia Benali, la métropole"),
        ("dans le Val de Sone, les", "dans le Val de Saône, les"),
        ("le pat fixe un objectif", "le PAT fixe un objectif"),
        ("Jacques Dupont est venu", "Jacques Dupont est venu"),  # another person
        ("il ne pas", "il ne pas"),  # "pas" is not "PAT"
        ("avec la loi Egalim.", "avec la loi Egalim."),
    ],
)
def test_glossary_near_misses_are_spelled_right(heard: str, written: str) -> None:
    corrected, count = correct_spelling(_segment(heard), TERMS)
    assert corrected.text == written
    assert count == (heard != written)
    assert corrected.words[0].start_ms == 0 and corrected.end_ms == _segment(heard).end_ms


def test_a_late_first_word_moves_back_to_its_sound() -> None:
    audio = np.zeros(RATE * 3, dtype=np.float32)
    audio[RATE : 2 * RATE] = 0.3  # sound from 1.0 s to 2.0 s
    squeezed = [_word("C", 1500, 1501), _word("'est", 1501, 1800)]
    snapped = snap_onsets(squeezed, audio, RATE, 0.3, 0)
    assert 970 <= snapped[0].start_ms <= 1000 and snapped[1].start_ms == 1501
    inside = [_word("le", 200, 400)]  # in silence: nothing to snap to
    assert snap_onsets(inside, audio, RATE, 0.3, 0) == inside


def test_onsets_bridge_a_consonant_closure_but_not_a_pause() -> None:
    audio = np.zeros(RATE * 3, dtype=np.float32)
    audio[int(1.0 * RATE) : int(1.3 * RATE)] = 0.3
    audio[int(1.35 * RATE) : int(2.0 * RATE)] = 0.3  # a 50-ms closure at 1.3 s
    assert snap_onsets([_word("Nous", 1500, 1700)], audio, RATE, 0.3, 0)[0].start_ms <= 1000
    audio[int(1.1 * RATE) : int(1.35 * RATE)] = 0  # now a 250-ms pause before 1.35 s
    moved = snap_onsets([_word("Nous", 1500, 1700)], audio, RATE, 0.3, 0)[0].start_ms
    assert 1320 <= moved <= 1350


def test_a_word_stretched_over_a_pause_ends_at_the_pause_and_what_follows_is_found() -> None:
    audio = np.zeros(RATE * 6, dtype=np.float32)
    audio[int(1.0 * RATE) : int(1.6 * RATE)] = 0.3  # the word
    audio[int(3.0 * RATE) : int(4.5 * RATE)] = 0.3  # a sentence the model skipped
    stretched = [_word("logistique,", 1000, 4500)]
    (word,) = tighten(stretched, audio, RATE, 0.3, 0)
    assert 1000 <= word.start_ms and 1600 <= word.end_ms <= 1650
    assert uncovered_sound([word], audio, RATE, 0.3, 0) == [(3000, 4500)]
    assert uncovered_sound(stretched, audio, RATE, 0.3, 0) == []


def test_an_elision_heard_before_a_name_goes_but_an_article_stays() -> None:
    def split(*texts: str) -> Segment:
        words = [_word(t, i * 300, i * 300 + 250) for i, t in enumerate(texts)]
        return Segment(start_ms=0, end_ms=words[-1].end_ms, text=join_words(words), words=words)

    name, _ = correct_spelling(split("D", "'Ana", "Benali,", "bonsoir"), TERMS + ["AMAP"])
    assert name.text == "Nadia Benali, bonsoir"
    article, _ = correct_spelling(split("à", "l", "'amap", "du"), TERMS + ["AMAP"])
    assert article.text == "à l'AMAP du"
    right, count = correct_spelling(split("l", "'AMAP"), ["AMAP"])
    assert right.text == "l'AMAP" and count == 0


def test_everyday_words_are_not_taken_for_acronyms() -> None:
    terms = ["CE", "SUD", "PAT"]
    kept, count = correct_spelling(_segment("ce que je dis au sud du pat"), terms)
    assert kept.text == "ce que je dis au sud du PAT" and count == 1


def test_a_click_before_a_pause_is_not_taken_for_the_word() -> None:
    audio = np.zeros(RATE * 3, dtype=np.float32)
    audio[int(1.0 * RATE) : int(1.03 * RATE)] = 0.3  # a 30-ms click
    audio[int(1.5 * RATE) : int(2.0 * RATE)] = 0.3  # the word
    (word,) = tighten([_word("bonjour", 1000, 2000)], audio, RATE, 0.3, 0)
    assert 1480 <= word.start_ms <= 1500 and word.end_ms >= 1990


def test_mentioning_subtitles_or_a_website_is_not_a_credit_line() -> None:
    from pipeline.transcription.guards import is_credit_line

    assert is_credit_line("Sous-titres réalisés par la communauté d'Amara.org")
    assert is_credit_line("www.youtube.com")
    assert not is_credit_line("Le programme est sur www.metropole.fr, avec les sous-titres.")


def test_a_word_held_over_a_whole_sentence_leaves_its_sound_to_the_second_look() -> None:
    """Whisper, lost after music, wrote one word over a 6-s sentence it skipped: the word
    goes, its segment is split there, and the sentence's sound is uncovered again."""
    audio = np.zeros(RATE * 10, dtype=np.float32)
    audio[int(1.0 * RATE) : int(1.4 * RATE)] = 0.3  # "Il"
    audio[int(2.0 * RATE) : int(8.0 * RATE)] = 0.3  # a sentence the model skipped
    audio[int(8.2 * RATE) : int(9.0 * RATE)] = 0.3  # "conservateur"
    words = [_word("Il", 1000, 1400), _word("devient", 2000, 8000)]
    words.append(_word("conservateur", 8200, 9000))
    runs = split_at_lost_words(tighten(words, audio, RATE, 0.3, 0))
    assert [[w.text for w in run] for run in runs] == [["Il"], ["conservateur"]]
    kept = [w for run in runs for w in run]
    assert uncovered_sound(kept, audio, RATE, 0.3, 0) == [(2000, 8000)]
    slow = [_word("Alors", 2000, 4000)]  # a drawn-out word of two seconds is a word
    assert split_at_lost_words(tighten(slow, audio, RATE, 0.3, 0)) == [slow]


def test_speech_is_heard_in_stretches_between_breaks() -> None:
    voice = [(0, 4000), (6000, 9000), (25_000, 30_000), (32_000, 33_000)]
    assert _stretches(voice, 40_000, 10_000) == [(0, 17_000), (17_000, 40_000)]
    assert _stretches(voice, 40_000, 10**9) == [(0, 40_000)]
    assert _stretches([], 40_000, 10_000) == [(0, 40_000)]


def test_punctuation_is_written_on_its_word_and_never_timed() -> None:
    """French output gives " ?" as a word of its own, timed over the pause after the
    sentence: it must not hide that pause from the cuts."""
    from pipeline.transcription.engines import _words

    heard = [(" «", 0.0, 0.1, 0.5), (" Pourquoi", 0.1, 0.5, 0.9), (" pas", 0.5, 0.8, 0.9),
             (" ?", 1.0, 1.9, 0.2), (" »", 1.9, 2.0, 0.2), (" Oui,", 2.1, 2.4, 0.8)]  # fmt: skip
    words = _words(heard)
    assert [(w.text, w.start_ms, w.end_ms) for w in words] == [
        ("«Pourquoi", 100, 500),
        ("pas?»", 500, 800),
        ("Oui,", 2100, 2400),
    ]
    assert _words([(" ...", 0.0, 1.0, 0.1), (" ?", 1.0, 2.0, 0.1)]) == []


class _ScriptedEngine:
    """Answers the second look's calls as Whisper did on one CPU: the joined call loops on
    a hotword; each piece heard alone gives its sentence (the words, 0.5 s apart)."""

    name = "scripted"

    def __init__(self) -> None:
        self.calls: list[tuple[float, bool]] = []

    def transcribe(self, audio, *, language, hotwords, fallback=True):
        seconds = len(audio) / RATE
        self.calls.append((seconds, fallback))
        if not fallback:
            loop = [_word(t, 100 + i * 300, 350 + i * 300) for i, t in
                    enumerate(["Val", "de", "Saône,"] * 15)]  # fmt: skip
            return [Segment(start_ms=100, end_ms=loop[-1].end_ms, text=join_words(loop),
                            words=loop, avg_logprob=-0.2, no_speech_prob=0.1)]  # fmt: skip
        said = [_word(t, 300 + i * 500, 700 + i * 500) for i, t in
                enumerate(["Et", "il", "faut", "des", "outils"])]  # fmt: skip
        return [Segment(start_ms=300, end_ms=said[-1].end_ms, text=join_words(said),
                        words=said, avg_logprob=-0.3, no_speech_prob=0.1)]  # fmt: skip


def test_a_second_look_that_loops_hears_each_skipped_piece_again_alone() -> None:
    """With the glossary as hotwords, the joined second look looped on "Val de Saône" over
    30 s of skipped speech, and the sentences stayed lost."""
    from pipeline.transcription.passes import _second_look

    audio = np.zeros(RATE * 60, dtype=np.float32)
    engine = _ScriptedEngine()
    missed = [(10_000, 16_000), (30_000, 36_000)]
    found = _second_look(engine, audio, missed, [], "fr", "Val de Saône")
    assert [fallback for _, fallback in engine.calls] == [False, True, True]
    starts = sorted(w.start_ms for s in found for w in s.words)
    assert len(starts) == 10 and not [w for s in found for w in s.words if "Saône" in w.text]
    for first, end in missed:  # each piece's words on the chunk's clock, inside its stretch
        inside = [ms for ms in starts if first - 200 <= ms < end]
        assert len(inside) == 5 and inside[0] == first - 200 + 300
