"""Ingest on generated cards: verified offload, ASC MHL, chapters, faulty files, resume."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from conftest import InterruptAfter, ffmpeg

from pipeline.core.errors import ConfigError
from pipeline.ingest.chapters import Part, group_chapters
from pipeline.ingest.offload import hash_file
from pipeline.ingest.plan import plan_ingest, resolve_sources
from pipeline.ingest.run import NotEnoughSpace, run_ingest
from pipeline.session import LoadedSession
from pipeline.session.artifacts.ingest import load_state
from pipeline.session.scaffold import init_session

TINY_VIDEO = "testsrc2=size=160x90:rate=25"


def _clip(path: Path, seconds: float, created: str | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    extra = ["-metadata", f"creation_time={created}"] if created else []
    ffmpeg(
        "-f",
        "lavfi",
        "-i",
        f"{TINY_VIDEO}:duration={seconds}",
        "-f",
        "lavfi",
        "-i",
        f"sine=frequency=300:duration={seconds}:sample_rate=48000",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-c:a",
        "aac",
        "-shortest",
        *extra,
        path,
    )
    return path


@pytest.fixture(scope="module")
def card_master(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A GoPro card (chapters + an interleaved second take), a Sony card (a 2-part split and
    a separate take), and the faults of a real evening."""
    root = tmp_path_factory.mktemp("master") / "cards"
    gopro = root / "GOPRO" / "DCIM" / "100GOPRO"
    _clip(gopro / "GX010042.MP4", 1.0)
    _clip(gopro / "GX020042.MP4", 0.6)
    _clip(gopro / "GX010043.MP4", 0.8)
    (gopro / "GX010042.THM").write_bytes(b"\xff\xd8thumbnail")
    (gopro / "GL010042.LRV").write_bytes(b"low-res proxy")
    sony = root / "SONY" / "PRIVATE" / "M4ROOT" / "CLIP"
    _clip(sony / "C0001.MP4", 1.0, "2026-03-12T18:30:00Z")
    _clip(sony / "C0002.MP4", 0.6, "2026-03-12T18:30:01Z")  # the camera's split: follows on
    _clip(sony / "C0003.MP4", 0.6, "2026-03-12T19:10:00Z")  # a new take later on
    (sony / "C0001M01.XML").write_text("<NonRealTimeMeta/>")
    good = sony / "C0003.MP4"
    (sony / "C0004.MP4").write_bytes(good.read_bytes()[: good.stat().st_size // 2])  # no moov
    (sony / "C0005.MP4").write_bytes(b"")
    odd = sony / "-it's a: é file.MP4"
    _clip(odd, 0.5)
    (sony / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (sony / "._C0001.MP4").write_bytes(b"\0\5\26\7")
    return root


@pytest.fixture
def cards(card_master: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(card_master, tmp_path / "cards"))


@pytest.fixture
def session(tmp_path: Path) -> LoadedSession:
    return init_session(tmp_path / "session", title="Ingest test", date=date(2026, 3, 12))


def _ingest(session: LoadedSession, *sources: Path, hash_format: str = "xxh128"):
    plan = plan_ingest(session, resolve_sources(session, list(sources), []))
    return plan, run_ingest(session, plan, hash_format=hash_format)


def _snapshot(root: Path) -> dict[str, tuple[int, int, int, str]]:
    found = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            stat = path.stat()
            found[str(path)] = (
                stat.st_atime_ns,
                stat.st_mtime_ns,
                stat.st_ctime_ns,
                hash_file(path, "md5"),
            )
    return found


def _mhl_verify(media: Path) -> int:
    """`ascmhl-debug verify` (its own command, minus the CLI's online update check)."""
    from ascmhl.commands import verify

    return CliRunner().invoke(verify, [str(media)]).exit_code


def test_discovery_skips_system_files_and_keeps_sidecars(session, cards) -> None:
    plan = plan_ingest(session, resolve_sources(session, [cards / "GOPRO", cards / "SONY"], []))
    names = {item.found.path.name: item for item in plan.files}
    assert ".DS_Store" not in names and "._C0001.MP4" not in names
    assert names["GX010042.THM"].found.kind == "sidecar"
    assert names["GL010042.LRV"].found.kind == "sidecar"
    assert names["C0001M01.XML"].found.kind == "sidecar"
    assert {item.found.camera for item in plan.files} == {"GOPRO", "SONY"}
    assert names["GX010042.MP4"].relative == "GOPRO/DCIM/100GOPRO/GX010042.MP4"


def test_verified_offload_with_mhl_and_faulty_files(session, cards) -> None:
    before = _snapshot(cards)
    plan, report = _ingest(session, cards / "GOPRO", cards / "SONY")
    assert _snapshot(cards) == before, "a source file was modified (content or times)"
    media = session.folder.media
    assert len(report.copied) == len(plan.files) == 12 and not report.failures
    for entry in report.copied:
        copy = media / entry.path
        assert copy.stat().st_mode & 0o777 == 0o444
        assert hash_file(copy, "xxh128") == entry.hash == hash_file(Path(entry.source), "xxh128")
        assert copy.stat().st_mtime_ns == Path(entry.source).stat().st_mtime_ns
    unusable = {f.path.rsplit("/", 1)[-1]: f.problems for f in report.unusable}
    assert set(unusable) == {"C0004.MP4", "C0005.MP4"}
    assert unusable["C0005.MP4"] == ["empty file (0 bytes)"]
    assert "moov" in unusable["C0004.MP4"][0] or "Invalid data" in unusable["C0004.MP4"][0]
    assert (media / "SONY/PRIVATE/M4ROOT/CLIP/C0004.MP4").stat().st_size > 0  # kept as it was
    assert report.generation == 1
    assert _mhl_verify(media) == 0
    copy = media / "SONY/PRIVATE/M4ROOT/CLIP/C0001.MP4"
    os.chmod(copy, 0o644)
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0x01
    copy.write_bytes(bytes(data))
    assert _mhl_verify(media) != 0


def test_chapters_become_one_recording_in_order(session, cards) -> None:
    _, report = _ingest(session, cards / "GOPRO", cards / "SONY")
    recordings = {r.id: r for r in report.state.recordings}
    assert recordings["GOPRO/DCIM/100GOPRO/GX010042.MP4"].files == [
        "GOPRO/DCIM/100GOPRO/GX010042.MP4",
        "GOPRO/DCIM/100GOPRO/GX020042.MP4",
    ]
    assert recordings["GOPRO/DCIM/100GOPRO/GX010043.MP4"].files == [
        "GOPRO/DCIM/100GOPRO/GX010043.MP4"
    ]
    split = recordings["SONY/PRIVATE/M4ROOT/CLIP/C0001.MP4"]
    assert [Path(f).name for f in split.files] == ["C0001.MP4", "C0002.MP4"]
    assert split.duration_s == pytest.approx(1.6, abs=0.04)
    assert [Path(f).name for f in recordings["SONY/PRIVATE/M4ROOT/CLIP/C0003.MP4"].files] == [
        "C0003.MP4"
    ]
    assert "SONY/PRIVATE/M4ROOT/CLIP/-it's a: é file.MP4" in recordings
    assert not any("C0004" in f or "C0005" in f for r in recordings.values() for f in r.files)


def test_gopro_order_is_number_then_chapter() -> None:
    names = [
        "GX020042.MP4",
        "GX010043.MP4",
        "GX010042.MP4",
        "GH010007.MP4",
        "GOPR0001.MP4",
        "GP010001.MP4",
    ]
    parts = [Part(f"cam/{n}", "cam", 10.0, None) for n in names]
    groups = [[p.path.split("/")[1] for p in g.parts] for g in group_chapters(parts)]
    assert sorted(groups) == sorted(
        [
            ["GOPR0001.MP4", "GP010001.MP4"],
            ["GH010007.MP4"],
            ["GX010042.MP4", "GX020042.MP4"],
            ["GX010043.MP4"],
        ]
    )


def test_rerun_copies_nothing_and_resume_recopies_partial_files(session, cards) -> None:
    _ingest(session, cards / "SONY")
    plan, report = _ingest(session, cards / "SONY")
    assert not plan.to_copy and not report.copied and report.generation is None
    # as if killed: one copy half-written, another renamed but not yet recorded in the state
    state_path = session.folder.work / "ingest.json"
    state = load_state(state_path)
    media = session.folder.media
    half = media / "SONY/PRIVATE/M4ROOT/CLIP/C0003.MP4"
    os.chmod(half, 0o644)
    half.rename(half.with_name(".C0003.MP4.capture-partial"))
    state.files = [f for f in state.files if not f.path.endswith(("C0003.MP4", "C0002.MP4"))]
    state_path.write_text(state.model_dump_json())
    plan, report = _ingest(session, cards / "SONY")
    assert sorted(Path(i.relative).name for i in plan.to_copy) == ["C0002.MP4", "C0003.MP4"]
    assert len(report.copied) == 2 and not report.failures
    assert not list(media.rglob("*.capture-partial"))
    assert hash_file(half, "xxh128") == hash_file(
        cards / "SONY/PRIVATE/M4ROOT/CLIP/C0003.MP4", "xxh128"
    )
    assert _mhl_verify(media) == 0


def test_second_card_adds_a_generation(session, cards) -> None:
    _ingest(session, cards / "SONY", hash_format="md5")
    _, report = _ingest(session, cards / "GOPRO", hash_format="md5")
    assert report.generation == 2
    assert len(list((session.folder.media / "ascmhl").glob("*.mhl"))) == 2
    assert _mhl_verify(session.folder.media) == 0


def test_not_enough_space_writes_nothing(session, cards, monkeypatch) -> None:
    import pipeline.ingest.run as ingest_run

    plan = plan_ingest(session, resolve_sources(session, [cards / "SONY"], []))
    usage = shutil.disk_usage(session.folder.media)
    fake = usage._replace(free=int(plan.bytes_to_copy * 1.04))
    monkeypatch.setattr(ingest_run.shutil, "disk_usage", lambda _path: fake)
    with pytest.raises(NotEnoughSpace, match="Nothing was copied") as caught:
        run_ingest(session, plan)
    assert not any(p.is_file() for p in session.folder.media.rglob("*"))
    # three different figures, each readable ("0.01 GB to copy needs 0.01 GB ... 0.01 GB free")
    figures = re.findall(r"([\d.]+ [kMGT]?B|\d+ bytes)", str(caught.value))
    assert len(figures) == 3 and len(set(figures)) == 3, str(caught.value)


def test_cli_ingest_reports_unusable_files_and_exits_non_zero(session, cards) -> None:
    command = [sys.executable, "-m", "pipeline", "ingest", str(session.root)]
    command += ["--camera", f"A={cards / 'SONY'}", "--no-sync"]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 4
    assert "C0004.MP4" in result.stderr and "C0005.MP4" in result.stderr
    assert "Found on the cards" in result.stdout and "Traceback" not in result.stderr
    assert (session.folder.media / "A/PRIVATE/M4ROOT/CLIP/C0001.MP4").is_file()
    again = subprocess.run(command, capture_output=True, text=True)
    assert "nothing to copy" in again.stdout


def test_a_truncated_file_is_refused_with_its_real_length(session, tmp_path) -> None:
    """Index at the front, data cut at half: the header still promises every second."""
    card = tmp_path / "card" / "DCIM"
    whole = _clip(tmp_path / "whole.mp4", 4.0)
    ffmpeg("-i", whole, "-c", "copy", "-movflags", "+faststart", whole.with_name("fast.mp4"))
    data = whole.with_name("fast.mp4").read_bytes()
    card.mkdir(parents=True)
    (card / "C0001.MP4").write_bytes(data[: len(data) // 2])
    shutil.copy(whole, card / "C0002.MP4")
    command = [sys.executable, "-m", "pipeline", "ingest", str(session.root), str(card.parent)]
    result = subprocess.run([*command, "--no-sync"], capture_output=True, text=True)
    assert result.returncode == 4, result.stderr
    line = next(line for line in result.stderr.splitlines() if "C0001.MP4" in line)
    assert "truncated" in line and "keep the card" in line and "00:00:04.000" in line
    stops = [float(t) for t in re.findall(r"stops at 00:00:(\d\d\.\d{3})", line)]
    assert stops and all(0.5 < t < 3.5 for t in stops), line
    state = load_state(session.folder.work / "ingest.json")
    usable = {Path(f.path).name: f.usable for f in state.files}
    assert usable == {"C0001.MP4": False, "C0002.MP4": True}
    assert [Path(r.id).name for r in state.recordings] == ["C0002.MP4"]
    said = " ".join(result.stderr.split())
    assert "keep it: 1 of its 2 file(s) are not safe in the session" in said
    assert "keep: DCIM/C0001.MP4: truncated" in said
    status = subprocess.run([sys.executable, "-m", "pipeline", "status", str(session.root)],
                            capture_output=True, text=True)  # fmt: skip
    assert status.returncode == 1 and "Needs attention" in status.stderr, status.stderr
    assert "unusable file" in status.stderr and "C0001.MP4" in status.stderr


def test_a_card_file_with_a_name_of_244_characters_is_ingested(session, tmp_path) -> None:
    """Its temporary sibling (``.NAME.capture-partial``) passed the 255-byte limit: ENAMETOOLONG,
    an internal error."""
    name = "Rencontre-" + "é" * 10 + "x" * (244 - 10 - 10 - 4) + ".MP4"  # 254 bytes
    assert len(name) == 244
    card = tmp_path / "card"
    _clip(card / name, 1.0)
    command = [sys.executable, "-m", "pipeline", "ingest", str(session.root), str(card)]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    (copied,) = [f for f in load_state(session.folder.work / "ingest.json").files]
    assert copied.usable and Path(copied.path).name == name
    assert "safe to wipe: its 1 file(s) are copied, verified and usable" in result.stdout
    assert (session.folder.media / copied.path).is_file()


def test_a_card_mounted_elsewhere_is_still_known_to_be_copied(session, tmp_path) -> None:
    """The verdict matched files by the card's absolute path: the same card mounted at
    another place was "not copied"."""
    from pipeline.ingest.discover import SourceSpec
    from pipeline.ingest.wipe import card_verdict

    card = tmp_path / "CARD"
    _clip(card / "DCIM" / "C0001.MP4", 0.5)
    command = [sys.executable, "-m", "pipeline", "ingest", str(session.root), str(card)]
    assert subprocess.run([*command, "--no-sync"], capture_output=True).returncode == 0
    state = load_state(session.folder.work / "ingest.json")
    (copied,) = state.files
    remounted = card.rename(tmp_path / "CARD1")  # a rename keeps every file's time
    verdict = card_verdict(SourceSpec(remounted, copied.camera), state, session.folder.media)
    assert verdict.safe_to_wipe, verdict.keep
    (remounted / "DCIM" / "C0002.MP4").write_bytes(b"new")
    verdict = card_verdict(SourceSpec(remounted, copied.camera), state, session.folder.media)
    assert verdict.keep == ["DCIM/C0002.MP4: not copied"]


UNREADABLE_CARD = """
import sys
from pathlib import Path
from pipeline.core.errors import ConfigError
from pipeline.ingest.discover import SourceSpec, discover
from pipeline.session.artifacts.ingest import IngestState
from pipeline.ingest.wipe import card_verdict

spec = SourceSpec(Path(sys.argv[1]), "A")
print(card_verdict(spec, IngestState(), Path(sys.argv[1])).summary)
try:
    discover(spec)
except ConfigError as error:
    print(error)
"""


def test_a_folder_on_a_card_that_cannot_be_read_is_named_not_skipped() -> None:
    """os.walk skipped the folder without a word: its files were neither copied nor counted,
    and the card could be called safe to wipe. Run as an ordinary user (root reads all)."""
    import tempfile

    as_user: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv to drop privileges")
        as_user = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    with tempfile.TemporaryDirectory() as folder:
        card = Path(folder) / "CARD"
        _clip(card / "DCIM" / "C0001.MP4", 0.5)
        (card / "PRIVATE").mkdir()
        (card / "PRIVATE" / "C0002.MP4").write_bytes(b"x")
        for path in (Path(folder), card, card / "DCIM"):
            path.chmod(0o755)
        (card / "DCIM" / "C0001.MP4").chmod(0o644)
        (card / "PRIVATE").chmod(0o000)
        result = subprocess.run(
            [*as_user, sys.executable, "-c", UNREADABLE_CARD, str(card)],
            capture_output=True, text=True, cwd=Path(__file__).parents[1],
        )  # fmt: skip
        (card / "PRIVATE").chmod(0o755)
    assert result.returncode == 0, result.stderr
    verdict, error = result.stdout.splitlines()
    assert verdict.startswith("keep it:") and "PRIVATE: cannot read this folder" in verdict
    assert "PRIVATE: cannot read this folder (Permission denied)" in error


def test_a_fifo_on_a_card_is_left_alone(session, tmp_path) -> None:
    """Reading a FIFO never ends: ingest hung."""
    card = tmp_path / "card"
    _clip(card / "C0001.MP4", 0.5)
    os.mkfifo(card / "C0002.MP4")
    command = [sys.executable, "-m", "pipeline", "ingest", str(session.root), str(card)]
    result = subprocess.run([*command, "--no-sync"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    names = [Path(f.path).name for f in load_state(session.folder.work / "ingest.json").files]
    assert names == ["C0001.MP4"]


def test_joined_chapters_last_the_sum_of_their_parts(session, cards) -> None:
    from pipeline.audio.decode import joined_mono

    _, report = _ingest(session, cards / "GOPRO")
    (recording,) = [
        r for r in report.state.recordings if r.id == "GOPRO/DCIM/100GOPRO/GX010042.MP4"
    ]
    media = session.folder.media
    rate = 8000
    audio = joined_mono(
        [media / f for f in recording.files],
        recording.part_durations,
        rate,
        session.folder.work / "cache",
    )
    assert len(audio) == sum(round(d * rate) for d in recording.part_durations)
    assert recording.duration_s == pytest.approx(1.6, abs=0.04)
    # the 300 Hz tone runs through the join: no silence longer than 2 ms around it
    join = round(recording.part_durations[0] * rate)
    quiet = np.abs(audio[join - rate // 10 : join + rate // 10]) < 0.01
    longest, run = 0, 0
    for sample_is_quiet in quiet:
        run = run + 1 if sample_is_quiet else 0
        longest = max(longest, run)
    assert longest < 0.002 * rate


def test_relative_session_path_gives_a_valid_mhl(session, cards) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeline",
            "ingest",
            session.root.name,
            "--camera",
            f"GOPRO={cards / 'GOPRO'}",
            "--no-sync",
        ],
        capture_output=True,
        text=True,
        cwd=session.root.parent,
    )
    assert result.returncode == 0, result.stderr
    assert _mhl_verify(session.folder.media) == 0


def test_interrupted_ingest_keeps_its_proof_and_resumes(session, cards) -> None:
    plan = plan_ingest(session, resolve_sources(session, [cards / "SONY"], []))
    first_two = sum(item.found.size for item in plan.to_copy[:2])
    with pytest.raises(KeyboardInterrupt):
        run_ingest(session, plan, progress=InterruptAfter(first_two))
    media = session.folder.media
    state = load_state(session.folder.work / "ingest.json")
    assert 2 <= len(state.files) < len(plan.files)
    assert all(f.mhl_generation == 1 for f in state.files)
    assert not list(media.rglob("*.capture-partial"))
    assert _mhl_verify(media) == 0  # what was copied is proven, nothing half-done lies around
    plan, report = _ingest(session, cards / "SONY")
    assert len(report.copied) == len(plan.to_copy) > 0 and report.generation == 2
    assert _mhl_verify(media) == 0
    assert len(load_state(session.folder.work / "ingest.json").files) == len(plan.files)


def test_unknown_files_are_copied_and_empty_cards_refused(session, tmp_path) -> None:
    card = tmp_path / "RED_CARD"
    (card / "A001_C001").mkdir(parents=True)
    (card / "A001_C001" / "A001_C001_0101AB.R3D").write_bytes(os.urandom(4096))
    (card / "A001_C001" / "A001_C001.RDC").write_bytes(b"clip database")
    _, report = _ingest(session, card)
    assert sorted(f.kind for f in report.copied) == ["other", "other"]
    assert report.state.recordings == [] and _mhl_verify(session.folder.media) == 0
    empty = tmp_path / "EMPTY"
    (empty / "DCIM").mkdir(parents=True)
    (empty / ".DS_Store").write_bytes(b"x")
    with pytest.raises(ConfigError, match="holds no files"):
        plan_ingest(session, resolve_sources(session, [empty], []))


def test_single_file_sources_and_duplicates(session, cards) -> None:
    clip = cards / "SONY" / "PRIVATE" / "M4ROOT" / "CLIP" / "C0003.MP4"
    specs = resolve_sources(session, [clip, clip, cards / "GOPRO", cards / "GOPRO"], [])
    assert [(s.path.name, s.camera) for s in specs] == [("C0003.MP4", "CLIP"), ("GOPRO", "GOPRO")]
    plan = plan_ingest(session, specs)
    assert "CLIP/C0003.MP4" in [item.relative for item in plan.files]


def test_a_missing_chapter_splits_the_recording(session, cards) -> None:
    gopro = cards / "GOPRO" / "DCIM" / "100GOPRO"
    _clip(gopro / "GX030042.MP4", 0.5)
    (gopro / "GX020042.MP4").write_bytes(b"")  # chapter 2 lost: battery, card error...
    _, report = _ingest(session, cards / "GOPRO")
    recordings = {Path(r.files[0]).name: r for r in report.state.recordings}
    assert [Path(f).name for f in recordings["GX010042.MP4"].files] == ["GX010042.MP4"]
    after = recordings["GX030042.MP4"]
    assert after.problems == ["chapter(s) 02 missing or unusable: split here"]


def test_nested_or_conflicting_sources_are_refused(session, cards) -> None:
    with pytest.raises(ConfigError, match="is inside"):
        resolve_sources(session, [cards / "SONY", cards / "SONY" / "PRIVATE"], [])
    with pytest.raises(ConfigError, match="camera A and B"):
        resolve_sources(session, [], [("A", cards / "SONY"), ("B", cards / "SONY")])


def test_old_gopro_names_and_a_lost_first_chapter() -> None:
    parts = [
        Part(f"cam/{n}", "cam", 10.0, None)
        for n in ("GOPR0042.MP4", "GP010042.MP4", "GP010043.MP4")
    ]
    groups = {g.parts[0].path: g for g in group_chapters(parts)}
    assert [p.path for p in groups["cam/GOPR0042.MP4"].parts] == [
        "cam/GOPR0042.MP4",
        "cam/GP010042.MP4",
    ]
    assert groups["cam/GP010043.MP4"].problems == ["chapter(s) 00 missing or unusable: split here"]


def test_one_ingest_at_a_time(session, cards) -> None:
    import fcntl

    from pipeline.ingest.run import IngestBusy

    plan = plan_ingest(session, resolve_sources(session, [cards / "SONY"], []))
    session.folder.work.mkdir(parents=True, exist_ok=True)
    with (session.folder.work / "ingest.lock").open("w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(IngestBusy, match="another capture ingest"):
            run_ingest(session, plan)
    assert not any(p.is_file() for p in session.folder.media.rglob("*"))
