"""`capture init` and the presets shipped inside the package."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest

from pipeline.core.errors import ConfigError
from pipeline.core.presets import load_preset, packaged_preset_names
from pipeline.session import load_session
from pipeline.session.scaffold import init_session

REPO = Path(__file__).resolve().parents[1]


def test_init_scaffolds_a_valid_session(tmp_path: Path) -> None:
    root = tmp_path / "rencontre-3"
    loaded = init_session(root, title="Vieillir chez soi : 2040", date=date(2026, 6, 4))
    assert loaded.session.slug == "vieillir-chez-soi-2040-2026-06-04"
    assert loaded.session.title == "Vieillir chez soi : 2040"
    for folder in ("media", "work", "transcript", "subtitles/reviewed", "cues", "renders"):
        assert (root / folder).is_dir()
    for cue in ("full", "highlights"):
        assert "clips: []" in (root / "cues" / f"{cue}.yaml").read_text(encoding="utf-8")
    assert "# facilitator:" in (root / "session.yaml").read_text(encoding="utf-8")


def test_init_quotes_hostile_titles_and_never_overwrites(tmp_path: Path) -> None:
    title = 'Débat "ouvert" : #1 \n{a: b} & !!python/object'
    loaded = init_session(tmp_path / "s", title=title, date=date(2026, 6, 4), place="Salle: A")
    assert loaded.session.title == title.strip()
    assert loaded.session.place == "Salle: A"
    before = (tmp_path / "s" / "session.yaml").read_bytes()
    with pytest.raises(ConfigError, match="never overwrites"):
        init_session(tmp_path / "s", title="Autre", date=date(2026, 1, 1))
    assert (tmp_path / "s" / "session.yaml").read_bytes() == before


def test_a_bad_slug_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="slug"):
        init_session(tmp_path / "s", title="x", date=date(2026, 6, 4), slug="Bad Slug")
    assert not (tmp_path / "s").exists()


def test_cli_shows_titles_with_brackets_literally(tmp_path: Path) -> None:
    root = tmp_path / "s"
    title = "Débat [/bold] [red]ouvert[/red]"
    run = [sys.executable, "-m", "pipeline"]
    created = subprocess.run([*run, "init", str(root), "--title", title, "--date", "2026-06-04"],
                             capture_output=True, text=True)  # fmt: skip
    assert created.returncode == 0, created.stderr
    status = subprocess.run([*run, "status", str(root)], capture_output=True, text=True)
    assert status.returncode == 0, status.stderr
    assert title in status.stdout


def test_cli_init_then_status(tmp_path: Path) -> None:
    root = tmp_path / "s"
    run = [sys.executable, "-m", "pipeline"]
    created = subprocess.run([*run, "init", str(root), "--title", "Rencontre", "--date",
                              "2026-06-04"], capture_output=True, text=True)  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert load_session(root).session.title == "Rencontre"
    bad_date = subprocess.run([*run, "init", str(tmp_path / "t"), "--title", "x", "--date",
                               "4 juin"], capture_output=True, text=True)  # fmt: skip
    assert bad_date.returncode == 3 and "--date" in bad_date.stderr


def test_packaged_presets_meet_the_guide() -> None:
    assert {"web", "archive"} <= set(packaged_preset_names())
    web = load_preset("web")
    assert web.audio.loudness.integrated_lufs == -16.0
    assert web.audio.loudness.true_peak_dbtp == -1.0
    assert web.audio.sample_rate == 48000
    assert [(r.height, r.bitrate_kbps, r.codec) for r in web.video.rungs] == [
        (1080, 4500, "h264"), (720, 3000, "h264"), (360, 730, "h264")
    ]  # fmt: skip
    assert web.video.gop_seconds == 2.0 and web.hls and web.hls.segment_seconds == 6.0
    assert load_preset("archive").audio.loudness.integrated_lufs == -23.0


def test_user_presets_override_and_bad_presets_are_located(tmp_path, monkeypatch) -> None:
    override = tmp_path / "presets"
    override.mkdir()
    text = (REPO / "presets" / "web.yaml").read_text(encoding="utf-8")
    (override / "web.yaml").write_text(text.replace("-16.0", "-14.0"), encoding="utf-8")
    monkeypatch.setenv("CAPTURE_PRESETS", str(override))
    assert load_preset("web").audio.loudness.integrated_lufs == -14.0
    (override / "web.yaml").write_text(text.replace("crf: 21", "crf: 99"), encoding="utf-8")
    with pytest.raises(ConfigError, match=r"web.yaml:\d+: video.rungs\[0\].crf"):
        load_preset("web")
    av1 = "    - {name: 720p_av1, height: 720, codec: av1,"
    assert f"    # {av1.strip()}" in text  # offered, commented out: uncommented here
    text = text.replace(f"    # {av1.strip()}", av1)
    (override / "web.yaml").write_text(text, encoding="utf-8")
    assert [r.name for r in load_preset("web").video.rungs][-1] == "720p_av1"
    (override / "web.yaml").write_text(text.replace(av1, av1.replace("720p_av1", "720p")),
                                       encoding="utf-8")  # fmt: skip
    with pytest.raises(ConfigError, match=r"web.yaml:\d+: video: .*rung names repeat"):
        load_preset("web")
    (override / "web.yaml").write_text(text.replace(av1, av1.replace("720", "540")),
                                       encoding="utf-8")  # fmt: skip
    with pytest.raises(ConfigError, match="540p_av1 has no H.264 rung of its height"):
        load_preset("web")
    (override / "web.yaml").write_text(text.replace("crf: 30}", "crf: 60}"), encoding="utf-8")
    assert load_preset("web").video.rungs[-1].crf == 60  # SVT-AV1's scale goes to 63
    with pytest.raises(ConfigError, match="known presets"):
        load_preset("nope")
    with pytest.raises(ConfigError, match="not a preset name"):
        load_preset("../web")


@pytest.mark.slow
def test_presets_ship_inside_the_installed_package(tmp_path: Path) -> None:
    # build from a clean copy of the sources: an in-tree build/ folder could hide a missing
    # package behind files left there by an earlier build
    source = tmp_path / "source"
    for name in ("pyproject.toml", "README.md"):
        (source / name).parent.mkdir(parents=True, exist_ok=True)
        (source / name).write_bytes((REPO / name).read_bytes())
    for folder in ("pipeline", "presets"):
        shutil.copytree(
            REPO / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("capture-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "pipeline/presets/web.yaml" in names and "pipeline/presets/archive.yaml" in names
    for module in (REPO / "pipeline").rglob("*.py"):
        assert module.relative_to(REPO).as_posix() in names, f"{module} is not packaged"
    for data in [*(REPO / "pipeline/publish/templates").iterdir(),
                 *(REPO / "pipeline/publish/assets").iterdir()]:  # fmt: skip
        assert data.relative_to(REPO).as_posix() in names, f"{data} is not packaged"
