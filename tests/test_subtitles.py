"""Subtitles: exact output on tricky French cases, formats, the rule checker."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.subtitles.check import Severity, check_cues
from pipeline.subtitles.cues import Cue, CueWord
from pipeline.subtitles.formats import SubtitleFormatError, read_subtitles, to_srt, to_vtt
from pipeline.subtitles.french import typography
from pipeline.subtitles.retime import retime
from pipeline.subtitles.rules import SubtitleRules
from pipeline.subtitles.segment import segment_words
from pipeline.timeline.timemap import TimeMap

RULES = SubtitleRules(fps=25)
"""The rules at 25 fps, the rate of the sample films."""

GLOSSARY = ["Nadia Benali", "Jacques Dubois", "Monts du Lyonnais"]


def words(text: str, start: int, speaker: str | None = None) -> list[CueWord]:
    """Words of ``text`` spoken from ``start`` ms at a steady pace, pausing at punctuation."""
    out, t = [], start
    for word in text.split():
        length = 55 * len(word) + 60
        out.append(CueWord(word, t, t + length, 0.9, speaker))
        t += length + 60
        if word.endswith((",", ";", ":")):
            t += 250
        if word.endswith((".", "?", "!")):
            t += 500
    return out


CASES = {
    "long": words(
        "Le projet alimentaire territorial, le PAT, fixe un objectif plus modeste : doubler "
        "cette part d'ici 2040. Pour cela, il faut protéger les terres dans le SCoT, et "
        "organiser la logistique entre les fermes et la ville.",
        1000,
    ),
    "pause": words("Nous cultivons quatre hectares.", 1000)
    + words("Tout part à moins de trente kilomètres.", 5000),
    "two": words("Est-ce réaliste ?", 1000, "Claire Martin")
    + words("Oui, tout à fait.", 2300, "Jacques Dubois"),
    "quotes": words('Les jeunes disent "on veut des terres" ; et vous ?', 1000),
    "names": words(
        "Pour en débattre, Jacques Dubois, maraîcher dans les Monts du Lyonnais, et Nadia "
        "Benali, géographe à l'université de la métropole.",
        1000,
    ),
}

EXPECTED = {
    "long": (
        (
            "1\n"
            "00:00:01,000 --> 00:00:06,345\n"
            "Le projet alimentaire territorial,\n"
            "le PAT, fixe un objectif plus modeste\xa0:\n"
            "\n"
            "2\n"
            "00:00:06,655 --> 00:00:12,940\n"
            "doubler cette part d'ici 2040. Pour cela,\n"
            "il faut protéger les terres dans le SCoT,\n"
            "\n"
            "3\n"
            "00:00:13,250 --> 00:00:16,983\n"
            "et organiser la logistique\n"
            "entre les fermes et la ville.\n"
            "\n"
        ),
        (
            "WEBVTT\n"
            "\n"
            "1\n"
            "00:00:01.000 --> 00:00:06.345\n"
            "Le projet alimentaire territorial,\n"
            "le PAT, fixe un objectif plus modeste\xa0:\n"
            "\n"
            "2\n"
            "00:00:06.655 --> 00:00:12.940\n"
            "doubler cette part d'ici 2040. Pour cela,\n"
            "il faut protéger les terres dans le SCoT,\n"
            "\n"
            "3\n"
            "00:00:13.250 --> 00:00:16.983\n"
            "et organiser la logistique\n"
            "entre les fermes et la ville.\n"
        ),
    ),
    "pause": (
        (
            "1\n"
            "00:00:01,000 --> 00:00:03,067\n"
            "Nous cultivons quatre hectares.\n"
            "\n"
            "2\n"
            "00:00:05,000 --> 00:00:07,600\n"
            "Tout part à moins de trente kilomètres.\n"
            "\n"
        ),
        (
            "WEBVTT\n"
            "\n"
            "1\n"
            "00:00:01.000 --> 00:00:03.067\n"
            "Nous cultivons quatre hectares.\n"
            "\n"
            "2\n"
            "00:00:05.000 --> 00:00:07.600\n"
            "Tout part à moins de trente kilomètres.\n"
        ),
    ),
    "two": (
        ("1\n00:00:01,000 --> 00:00:03,740\n- Est-ce réaliste\u202f?\n- Oui, tout à fait.\n\n"),
        (
            "WEBVTT\n"
            "\n"
            "1\n"
            "00:00:01.000 --> 00:00:03.740\n"
            "- Est-ce réaliste\u202f?\n"
            "- Oui, tout à fait.\n"
        ),
    ),
    "quotes": (
        (
            "1\n"
            "00:00:01,000 --> 00:00:04,710\n"
            "Les jeunes disent «\xa0on veut des terres\xa0»\u202f;\n"
            "et vous\u202f?\n"
            "\n"
        ),
        (
            "WEBVTT\n"
            "\n"
            "1\n"
            "00:00:01.000 --> 00:00:04.710\n"
            "Les jeunes disent «\xa0on veut des terres\xa0»\u202f;\n"
            "et vous\u202f?\n"
        ),
    ),
    "names": (
        (
            "1\n"
            "00:00:01,000 --> 00:00:06,115\n"
            "Pour en débattre, Jacques Dubois,\n"
            "maraîcher dans les Monts du Lyonnais,\n"
            "\n"
            "2\n"
            "00:00:06,425 --> 00:00:10,445\n"
            "et Nadia Benali, géographe\n"
            "à l'université de la métropole.\n"
            "\n"
        ),
        (
            "WEBVTT\n"
            "\n"
            "1\n"
            "00:00:01.000 --> 00:00:06.115\n"
            "Pour en débattre, Jacques Dubois,\n"
            "maraîcher dans les Monts du Lyonnais,\n"
            "\n"
            "2\n"
            "00:00:06.425 --> 00:00:10.445\n"
            "et Nadia Benali, géographe\n"
            "à l'université de la métropole.\n"
        ),
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_exact_srt_and_vtt_for_tricky_cases(case: str) -> None:
    cues = segment_words(CASES[case], GLOSSARY, RULES)
    srt, vtt = EXPECTED[case]
    assert to_srt(cues) == srt
    assert to_vtt(cues, voices=False) == vtt
    assert [v for v in check_cues(cues, RULES) if v.hard] == []


def test_every_cue_starts_on_its_first_word_and_ends_soon_after_its_last() -> None:
    for case in CASES.values():
        for cue in segment_words(case, GLOSSARY, RULES):
            assert cue.start_ms == cue.words[0].start_ms
            assert cue.words[-1].end_ms - 80 <= cue.end_ms <= cue.words[-1].end_ms + 500


def test_vtt_escapes_markup_and_arrows_and_names_the_voice(tmp_path: Path) -> None:
    vtt = to_vtt([Cue(0, 2000, ("a <b>gras</b> & -->",), speaker="Dupont <script>")])
    assert "a &lt;b&gt;gras&lt;/b&gt; &amp; --&gt;" in vtt and "<script>" not in vtt
    assert "<v Dupont &lt;script&gt;>" in vtt
    path = tmp_path / "x.vtt"
    path.write_text(to_vtt([Cue(0, 2000, ("a <b>gras</b> & ->",), speaker="D <s>")]), "utf-8")
    (read,) = read_subtitles(path)
    assert read.lines == ("a <b>gras</b> & ->",) and read.speaker == "D <s>"


def test_typography_is_french_and_idempotent() -> None:
    text = typography('Il dit : "non" ; pourquoi ? Voir https://exemple.fr à 18:30 !')
    assert text == (
        "Il dit\u00a0: «\u00a0non\u00a0»\u202f; pourquoi\u202f? "
        "Voir https://exemple.fr à 18:30\u202f!"
    )
    assert typography(text) == text


def _srt(tmp_path: Path, body: str, name: str = "t.srt") -> Path:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    return path


GOOD = "1\n00:00:01,000 --> 00:00:03,000\nBonsoir à tous.\n\n"
HARD_RULE_FILES = {
    "line length": "1\n00:00:01,000 --> 00:00:06,000\n" + "a" * 43 + "\n\n",
    "lines": "1\n00:00:01,000 --> 00:00:06,000\nun\ndeux\ntrois\n\n",
    "too short": "1\n00:00:01,000 --> 00:00:01,500\nOui.\n\n",
    "too long": "1\n00:00:01,000 --> 00:00:09,000\nUn sous-titre qui reste.\n\n",
    "gap": GOOD + "2\n00:00:03,040 --> 00:00:05,000\nSuite immédiate.\n\n",
}


@pytest.mark.parametrize("rule", sorted(HARD_RULE_FILES))
def test_checker_catches_each_hard_rule_alone(tmp_path: Path, rule: str) -> None:
    found = check_cues(read_subtitles(_srt(tmp_path, HARD_RULE_FILES[rule])), RULES)
    assert {v.rule for v in found if v.hard} == {rule}


def test_speech_too_fast_to_read_is_for_the_reviewer_not_a_hard_rule(tmp_path: Path) -> None:
    body = "1\n00:00:01,000 --> 00:00:02,000\nBeaucoup trop de texte ici.\n\n"
    found = check_cues(read_subtitles(_srt(tmp_path, body)), RULES)
    assert [v.rule for v in found if v.hard] == []
    (flag,) = [v for v in found if v.severity is Severity.REVIEW]
    assert flag.rule == "reading speed"
    assert str(flag) == (
        "sous-titre 1 (00:00:01,000) : vitesse de lecture, 27,0 caractères/s (au plus 17) :"
        " la parole est trop rapide pour être lue telle quelle, à condenser"
    )


def test_a_good_file_has_no_hard_violation(tmp_path: Path) -> None:
    assert [v for v in check_cues(read_subtitles(_srt(tmp_path, GOOD)), RULES) if v.hard] == []


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ("1\n00:00:01,000 -> 00:00:02,000\nx\n\n", 2, "expected a time line"),
        ("Bonjour\n00:00:01,000 -> 00:00:02,000\n\n", 1, "expected a cue number or a time line"),
        ("1\n00:00:01,000 --> 00:00:0x,000\nx\n\n", 2, "bad time line"),
        ("1\n00:00:03,000 --> 00:00:02,000\nx\n\n", 2, "ends before it starts"),
        (GOOD + "2\n00:00:02,000 --> 00:00:04,000\nx\n\n", 6, "overlap"),
        ("1\n00:00:01,000 --> 00:00:02,000\n\n", 2, "no text"),
    ],
)
def test_malformed_files_name_the_line(tmp_path: Path, body: str, line: int, message: str):
    path = _srt(tmp_path, body)
    with pytest.raises(SubtitleFormatError, match=rf"t\.srt:{line}: .*{message}"):
        read_subtitles(path)


def test_a_file_not_in_utf8_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "cp1252.srt"
    path.write_bytes("1\n00:00:01,000 --> 00:00:03,000\nDéjà là.\n".encode("cp1252"))
    with pytest.raises(SubtitleFormatError, match=r"cp1252\.srt:3: not UTF-8"):
        read_subtitles(path)


def test_editor_variants_are_read(tmp_path: Path) -> None:
    """A BOM, CRLF line ends and a missing cue number, as editors write them."""
    path = tmp_path / "edited.srt"
    path.write_bytes(
        b"\xef\xbb\xbf1\r\n00:00:01,000 --> 00:00:03,000\r\nBonsoir.\r\n\r\n"
        b"00:00:04,000 --> 00:00:06,500\r\nMerci.\r\n"
    )
    assert [(c.start_ms, c.text) for c in read_subtitles(path)] == [
        (1000, "Bonsoir."),
        (4000, "Merci."),
    ]


def test_checker_cli_exit_codes(tmp_path: Path) -> None:
    def check(path: Path, *options: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "pipeline", "subtitles", "check", str(path), *options],
            capture_output=True,
            text=True,
        )

    assert check(_srt(tmp_path, GOOD, "good.srt")).returncode == 0
    bad = check(_srt(tmp_path, HARD_RULE_FILES["too long"], "bad.srt"))
    assert bad.returncode == 1 and "durée trop longue" in bad.stdout
    # 40 ms between cues: two frames at 50 fps, one at the archive preset's 25
    close = _srt(tmp_path, HARD_RULE_FILES["gap"], "close.srt")
    assert check(close).returncode == 1 and check(close, "--fps", "50").returncode == 0
    assert check(close, "--fps", "0").returncode != 0
    broken = check(_srt(tmp_path, "1\n00:00:03,000 --> 00:00:02,000\nx\n", "broken.srt"))
    assert broken.returncode == 3 and "broken.srt:2" in broken.stderr


def test_retiming_shifts_clips_and_never_spans_a_cut() -> None:
    cues = [
        Cue(1000, 4000, ("Avant la coupe.",)),
        Cue(9000, 12000, ("Coupé en plein milieu, presque tout.",)),
        Cue(20000, 23000, ("Hors du film.",)),
    ]
    timemap = TimeMap.from_clips([(500, 4500), (8500, 11500)])
    out = retime(cues, timemap, RULES)
    assert [(c.start_ms, c.end_ms, c.text) for c in out] == [
        (500, 3500, "Avant la coupe."),
        (4500, 7000, "Coupé en plein milieu, presque tout."),  # 2.5 s of 3 s kept
    ]
    tiny = retime([Cue(11000, 14000, ("Presque entièrement coupé.",))], timemap, RULES)
    assert tiny == []  # 0.5 s left: too short to read
    assert RULES.min_gap_ms == 80


def test_any_word_times_give_ordered_readable_cues_holding_every_word() -> None:
    """Whisper's worst: zero-length words, words at the same instant, words stretched over
    seconds, 50-character words, speakers alternating."""
    rng = random.Random(7)
    for _ in range(300):
        t, found = 0, []
        for _ in range(rng.randint(0, 40)):
            t += rng.choice([0, 0, 10, 50, 200, 900, 1500])
            length = rng.choice([0, 1, 50, 300, 800, 3000, 9000])
            text = rng.choice(["a", "le", "Benali,", "oui.", "x" * 50, "anticonstitutionnellement"])
            found.append(CueWord(text, t, t + length, 0.5, rng.choice([None, "A", "B"])))
            t += length
        cues = segment_words(found, GLOSSARY, RULES)
        shown: list[str] = []
        for word in (w for c in cues for w in c.words):
            if shown and len(shown[-1]) == RULES.max_line_chars and shown[-1].endswith("-"):
                shown[-1] = shown[-1][:-1] + word.text  # a word too long for a line, cut
            else:
                shown.append(word.text)
        assert shown == [w.text for w in found]
        for cue in cues:
            assert cue.lines and cue.end_ms > cue.start_ms >= cue.words[0].start_ms
        for before, after in zip(cues, cues[1:], strict=False):
            assert after.start_ms >= before.end_ms + RULES.min_gap_ms


def test_well_typeset_text_raises_no_typography_warning() -> None:
    line = typography('Quoi ?! Il dit : "non" ; bon.')
    assert [v for v in check_cues([Cue(0, 3000, (line,))], RULES) if v.rule == "typography"] == []
    rules = [v.rule for v in check_cues([Cue(0, 3000, ("Quoi? Il dit : non",))], RULES)]
    assert "typography" in rules


def test_webvtt_headers_notes_and_markup_are_read(tmp_path: Path) -> None:
    path = tmp_path / "captions.vtt"
    path.write_text(
        "WEBVTT - Rencontre\nKind: captions\nLanguage: fr\n\nNOTE relu le 3 mars\n\n"
        "c1\n00:01.000 --> 00:03.000 line:90%\n<v.loud Claire Martin><i>Bonsoir</i> à tous\n",
        encoding="utf-8",
    )
    (cue,) = read_subtitles(path)
    assert (cue.start_ms, cue.text, cue.speaker) == (1000, "Bonsoir à tous", "Claire Martin")
    srt = _srt(tmp_path, "1\n00:00:01,000 --> 00:00:03,000\n{\\an8}<i>En haut</i>\n")
    assert read_subtitles(srt)[0].text == "En haut"


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        ("empty.srt", "", "no cues"),
        ("header.vtt", "WEBVTT\n", "no cues"),
        ("wrong.vtt", "WEBVTTX\n\n00:01.000 --> 00:02.000\nx\n", "starts with 'WEBVTT'"),
        ("arrow.vtt", "WEBVTT\n\n00:01.000 --> 00:03.000\nil dit --&gt; non\n", ":4: cue text"),
    ],
)
def test_files_that_would_lose_or_break_text_are_refused(tmp_path, name, body, message) -> None:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    with pytest.raises(SubtitleFormatError, match=message):
        read_subtitles(path)


def test_review_sheet_flags_speech_too_fast_in_french() -> None:
    from pipeline.subtitles.cues import CueWord
    from pipeline.subtitles.review_sheet import render_review_sheet

    word = CueWord("Beaucoup", 1000, 1200, 0.3, "Nadia Benali")
    cues = [Cue(1000, 2000, ("Beaucoup trop de texte ici.",), (word,), "Nadia Benali")]
    html = render_review_sheet("Rencontre <test>", cues, check_cues(cues, RULES), "master.fr.srt")
    assert '<div class="review">' in html and "<strong>À condenser</strong>" in html
    assert "Vitesse de lecture : 27,0 caractères/s (au plus 17)" in html
    assert "<strong>Nadia Benali</strong>" in html and "Rencontre &lt;test&gt;" in html
    assert "Violation(" not in html
