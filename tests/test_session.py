"""session.yaml: the typed model, and one clear message with file and line for every mistake."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.core.errors import ConfigError
from pipeline.session import load_session

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "samples" / "session.yaml"


def _session(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "rencontre"
    folder.mkdir(exist_ok=True)
    (folder / "session.yaml").write_text(text, encoding="utf-8")
    return folder


def _problems(folder: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_session(folder)
    return [str(p) for p in caught.value.problems]


MINIMAL = 'slug: test\ntitle: "Manger local"\ndate: 2026-03-12\n'


def test_documented_example_is_valid_and_complete(tmp_path: Path) -> None:
    folder = tmp_path / "example"
    folder.mkdir()
    shutil.copy(EXAMPLE, folder / "session.yaml")
    session = load_session(folder).session
    assert session.language == "fr"
    assert session.facilitator is not None and len(session.speakers) >= 2
    assert {c.role for c in session.cameras} == {"wide", "close", "recorder"}
    assert session.glossary.acronyms and session.credits.funding
    assert session.documents and session.photos and session.links and session.sources


def test_minimal_session_gets_defaults(tmp_path: Path) -> None:
    session = load_session(_session(tmp_path, MINIMAL)).session
    assert session.language == "fr" and session.speakers == [] and session.cameras == []


def test_missing_field_names_file_line_and_field(tmp_path: Path) -> None:
    text = MINIMAL + "speakers:\n  - name: Alice\n  - role: maraîcher\n    organisation: X\n"
    assert _problems(_session(tmp_path, text)) == [
        "session.yaml:6: speakers[1].name: field required"
    ]


def test_unknown_key_suggests_the_right_one(tmp_path: Path) -> None:
    text = MINIMAL + "glosary:\n  names: [Alice]\n"
    problems = _problems(_session(tmp_path, text))
    assert problems == ["session.yaml:4: glosary: unknown key 'glosary' (did you mean 'glossary'?)"]
    nested = MINIMAL + "speakers:\n  - name: A\n    rol: x\n"
    assert _problems(_session(tmp_path, nested)) == [
        "session.yaml:6: speakers[0].rol: unknown key 'rol' (did you mean 'role'?)"
    ]


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    text = (
        "slug: Not A Slug\ntitle: x\ndate: 2026-02-30\n"
        "cameras:\n  - {name: A, role: closeup}\n"
        'links:\n  - {title: x, url: "javascript:alert(1)"}\n'
    )
    problems = _problems(_session(tmp_path, text))
    assert [p.split(":")[1] for p in problems] == ["1", "3", "5", "7"]
    assert problems[0].startswith("session.yaml:1: slug: string should match pattern")
    assert problems[3] == (
        "session.yaml:7: links[0].url: must start with http://, https:// or mailto:"
    )


@pytest.mark.parametrize(
    ("line", "field"),
    [("start_time: '99:99'", "start_time"), ("date: 0", "date"), ("language: French", "language")],
)
def test_impossible_values(tmp_path: Path, line: str, field: str) -> None:
    text = MINIMAL.replace("date: 2026-03-12\n", "") + (
        "" if field == "date" else "date: 2026-03-12\n"
    )
    (problem,) = _problems(_session(tmp_path, text + line + "\n"))
    assert f": {field}: " in problem


def test_yaml_12_scalars_keep_times_and_words_as_text(tmp_path: Path) -> None:
    text = MINIMAL + "start_time: 18:30\nplace: no\ntheme: on\n"
    session = load_session(_session(tmp_path, text)).session
    assert (session.start_time, session.place, session.theme) == ("18:30", "no", "on")


def test_duplicate_keys_are_refused_at_the_second_one(tmp_path: Path) -> None:
    (problem,) = _problems(_session(tmp_path, MINIMAL + "title: Autre titre\n"))
    assert problem == "session.yaml:4: duplicate key 'title'"


@pytest.mark.parametrize("text", ["theme: &a [*a]\n", "theme: " + "[" * 3000 + "]" * 3000 + "\n"])
def test_recursive_or_deep_yaml_is_a_clear_error(tmp_path: Path, text: str) -> None:
    (problem,) = _problems(_session(tmp_path, MINIMAL + text))
    assert "refers to itself" in problem or "nested too deeply" in problem


def test_yaml_syntax_error_has_its_line(tmp_path: Path) -> None:
    text = MINIMAL + "speakers:\n  - name: [unclosed\n"
    (problem,) = _problems(_session(tmp_path, text))
    assert problem.startswith("session.yaml:6: YAML error:")


@pytest.mark.parametrize(
    ("path", "reason"),
    [("../secret.pdf", "outside"), ("/etc/passwd", "absolute"), ("docs/../../x.pdf", "outside")],
)
def test_paths_must_stay_inside_the_session(tmp_path: Path, path: str, reason: str) -> None:
    text = MINIMAL + f"documents:\n  - title: Programme\n    path: {path}\n"
    (problem,) = _problems(_session(tmp_path, text))
    assert problem.startswith("session.yaml:6: documents[0].path:") and reason in problem


def test_the_session_folder_itself_and_link_loops_are_refused(tmp_path: Path) -> None:
    folder = _session(tmp_path, MINIMAL + "poster: .\nphotos:\n  - path: loop/a.jpg\n")
    (folder / "loop").symlink_to(folder / "loop")
    problems = _problems(folder)
    assert (
        len(problems) == 2
        and "not the folder itself" in problems[1 if "photos" in problems[0] else 0]
    )


def test_symlink_leading_outside_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    folder = _session(tmp_path, MINIMAL + "photos:\n  - path: photos/salle.jpg\n")
    (folder / "photos").symlink_to(outside)
    (problem,) = _problems(folder)
    assert "photos[0].path" in problem and "outside the session folder" in problem


def test_inside_paths_and_outside_sources_are_accepted(tmp_path: Path) -> None:
    text = MINIMAL + (
        "cameras: [{name: A, role: wide}]\n"
        "sources:\n  - /media/CARD_A\n  - {path: ../cards/B, camera: A}\n"
        "documents:\n  - {title: Programme, path: documents/programme.pdf}\n"
    )
    loaded = load_session(_session(tmp_path, text))
    sources = [path for _, path in loaded.source_paths()]
    assert sources == [Path("/media/CARD_A"), tmp_path / "cards" / "B"]
    assert loaded.resolve("documents/programme.pdf") == (
        loaded.root.resolve() / "documents" / "programme.pdf"
    )


def test_source_naming_an_undeclared_camera(tmp_path: Path) -> None:
    text = MINIMAL + "cameras: [{name: A, role: wide}]\nsources:\n  - {path: /x, camera: Z}\n"
    (problem,) = _problems(_session(tmp_path, text))
    assert "camera 'Z'" in problem


def test_python_tags_are_never_constructed(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = MINIMAL + f"theme: !!python/object/apply:os.system ['touch {marker}']\n"
    (problem,) = _problems(_session(tmp_path, text))
    assert problem.startswith("session.yaml:4:") and not marker.exists()


def test_alias_bomb_is_refused_cheaply(tmp_path: Path) -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(1, 9):
        lines.append(f"b{i}: &b{i} [" + ",".join([f"*{'a' if i == 1 else f'b{i - 1}'}"] * 9) + "]")
    (problem,) = _problems(_session(tmp_path, MINIMAL + "\n".join(lines) + "\n"))
    assert "alias" in problem


def test_a_long_text_repeated_by_aliases_is_refused(tmp_path: Path) -> None:
    """500 KB of text, 40 aliases to it: within the node budget, 20 MB once expanded."""
    text = MINIMAL + f"theme: &t {'a' * 500_000}\nglossary:\n  names: [{', '.join(['*t'] * 40)}]\n"
    (problem,) = _problems(_session(tmp_path, text))
    assert "characters of text once aliases are expanded" in problem


@pytest.mark.parametrize(
    ("extra", "where"),
    [
        ("cameras:\n  - {name: A, role: wide}\n  - {name: B, role: close}\n"
         "  - {name: A, role: close}\n", "session.yaml:7: cameras[2].name: camera names"),
        ("cameras:\n  - {name: A, role: wide}\nsources:\n  - {path: ../a, camera: A}\n"
         "  - {path: ../b, camera: C}\n", "session.yaml:8: sources[1].camera: source"),
        ("facilitator: {name: Claire, channel: 1}\nspeakers:\n  - {name: Jacques, channel: 2}\n"
         "  - {name: Nadia, channel: 1}\n", "session.yaml:7: speakers[1].channel: recorder"),
    ],
)  # fmt: skip
def test_a_check_across_fields_points_at_the_line_at_fault(tmp_path, extra, where) -> None:
    """These pointed at the top of the file (line 1)."""
    (problem,) = _problems(_session(tmp_path, MINIMAL + extra))
    assert problem.startswith(where), problem


def test_cli_reports_bad_yaml_without_traceback(tmp_path: Path) -> None:
    folder = _session(tmp_path, MINIMAL + "speakers:\n  - role: x\n")
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "status", str(folder)],
        capture_output=True,
        text=True,
        env={**os.environ, "CAPTURE_DEBUG": "0"},
    )
    assert result.returncode == 3
    assert result.stderr.strip() == "error: session.yaml:5: speakers[0].name: field required"
    assert "Traceback" not in result.stderr + result.stdout


def test_one_person_per_recorder_channel(tmp_path: Path) -> None:
    text = MINIMAL + (
        "facilitator: {name: Claire Martin, channel: 1}\n"
        "speakers:\n  - {name: Nadia Benali, channel: 2}\n  - {name: Jacques Dubois, channel: 1}\n"
    )
    (problem,) = _problems(_session(tmp_path, text))
    assert "channel 1 is given to both Claire Martin and Jacques Dubois" in problem


def test_a_cue_list_written_from_its_model_reads_back_the_same(tmp_path: Path) -> None:
    """Times are kept in milliseconds and written as seconds; only what was given is
    written, under the keys an editor types (``in``, ``from``)."""
    from pipeline.core.validation import validate_loaded
    from pipeline.core.yamlio import load_yaml, model_yaml
    from pipeline.session.cuelist import CueList

    given = CueList.model_validate(
        {
            "clips": [
                {"in": "00:12:34.200", "out": 760, "camera": "A"},
                {"from": "bonsoir à tous", "to": "merci", "transition": "crossfade"},
            ],
            "chapters": [{"at": "00:00:01,5", "title": "« Ouverture » : %{pts}"}],
        }
    )
    text = model_yaml(given, "# a header\n")
    assert text.startswith("# a header\n") and "in: 754.2" in text and "from: bonsoir" in text
    assert "exact" not in text and "lower_thirds" not in text
    path = tmp_path / "full.yaml"
    path.write_text(text, encoding="utf-8")
    read = validate_loaded(load_yaml(path), CueList)
    assert read.model_dump() == given.model_dump()
    assert read.clips[0].in_ms == 754_200 and read.chapters[0].at == 1500
