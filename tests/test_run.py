"""``capture run`` end to end on the tiny sample: only what a change needs is redone, a run
killed at any step finishes on the next run with the same outputs, and faulty inputs give
clear outcomes."""

from __future__ import annotations

import hashlib
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.orchestrate.run import Verdict, run_session, step_statuses
from pipeline.session import load_session
from pipeline.session.artifacts.run import StepState

SLUG = "manger-local-2040"


def _fresh(tiny_sample, folder: Path) -> Path:
    """The tiny sample's cards and session folder, copied to ``folder``."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    shutil.copytree(tiny_sample.cards, folder / "cards")
    shutil.copytree(tiny_sample.session, folder / SLUG)
    return folder / SLUG


def _ran(log: Path) -> list[str]:
    return re.findall(r"step (\S+): ran in", log.read_text(encoding="utf-8"))


def _digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.mark.slow
def test_a_changed_cue_redoes_only_what_depends_on_it(tiny_sample, tmp_path: Path) -> None:
    session = _fresh(tiny_sample, tmp_path / "a")
    site = tmp_path / "site"
    first = run_session(load_session(session), site=site)
    assert first.failed is None
    assert _ran(first.log) == ["ingest", "sync", "transcribe", "subtitles", "render-full",
                               "render-highlights", "publish"]  # fmt: skip
    assert "capture.runner: run: " in first.log.read_text(encoding="utf-8"), "commands logged"
    cues = session / "cues" / "highlights.yaml"
    text = cues.read_text(encoding="utf-8")
    out = re.search(r"  out: ([\d.]+)", text)
    cues.write_text(text.replace(out.group(0), f"  out: {float(out.group(1)) - 0.4:.3f}", 1),
                    encoding="utf-8")  # fmt: skip
    stale = {s.name: s for s in step_statuses(load_session(session))}
    assert stale["render-highlights"].condition == StepState.STALE
    assert "cues/highlights.yaml changed" in stale["render-highlights"].detail
    assert stale["render-full"].condition == StepState.DONE
    second = run_session(load_session(session), site=site)
    assert _ran(second.log) == ["subtitles", "render-highlights", "publish"]
    third = run_session(load_session(session), site=site)
    assert _ran(third.log) == []
    # the tiny sample marks no quote for social clips, is no cycle's synthesis and has one
    # photo: those steps have nothing to do
    verdicts = {r.name: r.verdict for r in third.results}
    for idle in ("social", "render-synthesis", "slideshow"):  # one photo only: no slideshow
        assert verdicts.pop(idle) == Verdict.NOT_NEEDED
    assert set(verdicts.values()) == {Verdict.SKIPPED}
    statuses = {s.name: s.condition for s in step_statuses(load_session(session))}
    for idle in ("social", "render-synthesis", "slideshow"):
        assert statuses.pop(idle) == StepState.NOT_NEEDED
    assert set(statuses.values()) == {StepState.DONE}
    (session / "renders" / "full.mp4").unlink()  # deleted by hand: made again
    fourth = run_session(load_session(session), site=site)
    assert _ran(fourth.log) == ["render-full", "publish"]
    status = subprocess.run(
        [sys.executable, "-m", "pipeline", "status", str(session), "--json"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    steps = json.loads(status.stdout)["steps"]
    assert [s["name"] for s in steps][-1] == "publish" and steps[-1]["state"] == "done"
    _footprint_is_measured(session, site, json.loads(status.stdout)["footprint"])


def _footprint_is_measured(session: Path, site: Path, footprint: dict) -> None:
    """CPU time per step counts the model's threads and the ffmpeg children (the steps
    that compute are CPU-bound: not far below their wall time on 2 cores); the energy is
    that time under the assumption stated; bytes per minute are the renditions' own."""
    costs = {step["name"]: step for step in footprint["steps"]}
    assert set(costs) == {"ingest", "sync", "transcribe", "subtitles", "render-full",
                          "render-highlights", "publish"}  # fmt: skip
    for name in ("transcribe", "render-full", "render-highlights"):
        assert costs[name]["cpu_seconds"] >= 0.5 * costs[name]["seconds"], costs[name]
    total = sum(step["cpu_seconds"] for step in footprint["steps"])
    assert footprint["cpu_seconds"] == pytest.approx(total, abs=0.1)
    assert footprint["energy_wh"] == pytest.approx(total * 10 / 3600, abs=0.01)
    assert "10 W per busy core" in footprint["assumption"]
    renders = session / "renders"
    for weight in footprint["renditions"]:
        report = json.loads((renders / f"{weight['film']}.json").read_text(encoding="utf-8"))
        name = f"{weight['name']}.mp4" if weight["height"] else "audio.m4a"  # the audio-only
        size = (renders / "web" / f"{weight['film']}-{name}").stat().st_size
        assert weight["bytes"] == size
        assert weight["bytes_per_minute"] == pytest.approx(size * 60 / report["duration_s"], abs=1)
    assert {(w["film"], w["name"]) for w in footprint["renditions"] if w["height"] == 0} == {
        ("full", "audio-only"), ("highlights", "audio-only")}  # fmt: skip
    manifest = json.loads((site / SLUG / "manifest.json").read_text(encoding="utf-8"))
    for film in manifest["films"]:
        for rendition in film["renditions"]:
            per_minute = rendition["file"]["bytes"] * 60 / film["duration_s"]
            assert rendition["bytes_per_minute"] == pytest.approx(per_minute, abs=1)
    other = subprocess.run(
        [sys.executable, "-m", "pipeline", "status", str(session), "--json"],
        capture_output=True, text=True, check=True,
        env={**os.environ, "CAPTURE_WATTS_PER_CORE": "5"},
    )  # fmt: skip
    halved = json.loads(other.stdout)["footprint"]
    assert halved["energy_wh"] == pytest.approx(footprint["energy_wh"] / 2, abs=0.01)


def _capture_run(session: Path, site: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline", "-q", "run", str(session), "--site", str(site)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _steps_state(session: Path) -> dict[str, str]:
    try:
        steps = json.loads((session / "work" / "run.json").read_text(encoding="utf-8"))["steps"]
    except (OSError, ValueError, KeyError):
        return {}
    return {name: record["state"] for name, record in steps.items()}


def _kill_during(session: Path, site: Path, step: str, how: signal.Signals) -> None:
    """Start ``capture run`` and send it ``how`` soon after ``step`` started; the step must
    still be unfinished then (the kill landed inside it)."""
    child = _capture_run(session, site)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and child.poll() is None:
        if _steps_state(session).get(step) == "running":
            time.sleep(0.05 if step == "ingest" else 0.3)
            os.kill(child.pid, how)
            break
        time.sleep(0.01)
    child.wait(timeout=30)
    expected = 130 if how == signal.SIGINT else -signal.SIGKILL
    assert child.returncode == expected, child.stderr.read()
    assert _steps_state(session)[step] == "running", f"{step} finished before the {how.name}"


def _frame_count(path: Path) -> int:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_packets", "-show_entries",
         "stream=nb_read_packets", "-of", "csv=p=0", str(path)],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return int(out.strip())


def _partial_files(*folders: Path) -> list[Path]:
    return [p for folder in folders for p in folder.rglob("*") if ".partial" in p.name]


def _whole_under_final_names(session: Path, site: Path) -> None:
    """A SIGKILL leaves temporaries (hidden ``.NAME.partial…``, swept by the next run), but
    every file under a final name is whole."""
    for path in [*session.rglob("*.mp4"), *site.rglob("*.mp4")]:
        if path.name.startswith(".") or path.name == "init.mp4":
            continue  # a temporary, or an HLS header (no frames of its own)
        probe = subprocess.run(
            ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
             str(path)], capture_output=True, text=True,
        )  # fmt: skip
        duration = probe.stdout.strip()
        assert probe.returncode == 0 and duration != "N/A" and float(duration) > 0, path
    for path in [*session.rglob("*.json"), *site.rglob("*.json")]:
        if not path.name.startswith("."):
            json.loads(path.read_text(encoding="utf-8"))


def _is_a_rendition(film: Path) -> bool:
    """A master that is its top web rendition (the same file, capped CRF: not bit-exact)."""
    report = json.loads(film.with_suffix(".json").read_text(encoding="utf-8"))
    return (report.get("assembly") or {}).get("same_as_rendition") is not None


@pytest.mark.slow
def test_a_run_killed_at_any_step_finishes_with_the_same_outputs(tiny_sample, tmp_path) -> None:
    reference = _fresh(tiny_sample, tmp_path / "reference")
    assert run_session(load_session(reference), site=tmp_path / "reference-site").failed is None
    session = _fresh(tiny_sample, tmp_path / "killed")
    cards = _digests(session.parent / "cards")
    site = tmp_path / "killed-site"
    kills = [("ingest", signal.SIGKILL), ("transcribe", signal.SIGINT),
             ("render-full", signal.SIGKILL), ("publish", signal.SIGKILL)]  # fmt: skip
    for step, how in kills:
        _kill_during(session, site, step, how)
        _whole_under_final_names(session, site)
        status = {s.name: s for s in step_statuses(load_session(session))}
        assert (status[step].condition, status[step].detail) == (StepState.STALE, "interrupted")
    finished = _capture_run(session, site)
    assert finished.wait(timeout=300) == 0, finished.stderr.read()
    last_log = max((session / "work" / "logs").glob("run-*.log"))
    assert _ran(last_log) == ["publish"], "only the unfinished work is redone"
    assert _digests(session.parent / "cards") == cards, "a source changed"
    assert _partial_files(session, site) == [], "the re-run swept what the kills left"

    def lasting(session: Path, part: str) -> dict[str, str]:
        """Outputs, less what records when it was made (reports, ASC MHL generations); the
        exchange files name the session's own folder."""
        found = {}
        for path in sorted((session / part).rglob("*")):
            name = path.relative_to(session / part).as_posix()
            if not path.is_file() or name.endswith(".json") or name.startswith(("ascmhl/", "web/")):
                continue  # (web renditions: compared by their frames, below)
            if path.suffix == ".mp4" and _is_a_rendition(path):
                continue  # a master that is its top rendition: compared by frames, below
            data = path.read_bytes()
            if path.suffix in (".otio", ".xml", ".edl"):
                data = data.replace(str(session).encode(), b"SESSION")
            found[name] = hashlib.sha256(data).hexdigest()
        return found

    for part in ("media", "subtitles", "renders"):
        assert lasting(session, part) == lasting(reference, part), part
    words = [json.loads((s / "transcript" / "transcript.json").read_text())["segments"]
             for s in (reference, session)]  # fmt: skip
    assert words[0] == words[1]
    # the web renditions: x264's rate cap (VBV) with threads is not bit-reproducible, even
    # between two uninterrupted runs, so the same files with the same frames are compared
    for folders in ([s / "renders" / "web" for s in (reference, session)],
                    [s / SLUG / "video" for s in (tmp_path / "reference-site", site)]):  # fmt: skip
        videos = [sorted(folder.glob("*.mp4")) for folder in folders]
        assert [p.name for p in videos[0]] == [p.name for p in videos[1]] and videos[0]
        for expected, found in zip(*videos, strict=True):
            assert _frame_count(found) == _frame_count(expected) > 0
    for film in ("full.mp4", "highlights.mp4"):
        masters = [s / "renders" / film for s in (reference, session)]
        assert _is_a_rendition(masters[0]) == _is_a_rendition(masters[1])
        assert _frame_count(masters[1]) == _frame_count(masters[0]) > 0
    assert all(s.condition == StepState.DONE for s in step_statuses(load_session(session))
               if s.name not in ("social", "render-synthesis", "slideshow"))  # fmt: skip


@pytest.mark.slow
def test_faulty_cards_and_missing_tools_give_clear_outcomes(tiny_sample, tmp_path) -> None:
    session = _fresh(tiny_sample, tmp_path / "faulty")
    card = session.parent / "cards" / "cam-a"
    clip = next(card.rglob("C0001.MP4"))
    truncated = clip.with_name("C0002.MP4")
    truncated.write_bytes(clip.read_bytes()[: clip.stat().st_size // 3])
    env = dict(os.environ, CAPTURE_FFPROBE="/nonexistent/ffprobe")
    missing = subprocess.run(
        [sys.executable, "-m", "pipeline", "-q", "run", str(session), "--until", "sync"],
        capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert missing.returncode == 5, missing.stderr
    assert "ingest failed" in missing.stderr and "ffprobe" in missing.stderr
    report = run_session(load_session(session), until="sync")
    ingest, sync = report.results
    assert (ingest.verdict, sync.verdict) == (Verdict.RAN, Verdict.RAN)
    assert any("C0002.MP4" in w for w in ingest.warnings), "the truncated file is reported"
    assert "3 recording(s) on the session clock" in sync.summary, "the others are processed"


@pytest.mark.slow
def test_a_full_disk_while_rendering_keeps_the_earlier_film(tiny_sample, tmp_path) -> None:
    """A file-size limit stands in for a full disk: ffmpeg's write fails half-way."""
    session = _fresh(tiny_sample, tmp_path / "disk")
    assert run_session(load_session(session), until="render-full").failed is None
    film = session / "renders" / "full.mp4"
    before = hashlib.sha256(film.read_bytes()).hexdigest()

    def small_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write fails instead of killing

    full = subprocess.run(
        [sys.executable, "-m", "pipeline", "-q", "render", str(session), "full", "--reencode"],
        capture_output=True, text=True, preexec_fn=small_disk,
    )  # fmt: skip
    assert full.returncode == 4, full.stderr
    assert "not enough disk space to write it" in full.stderr
    assert "Traceback" not in full.stderr
    assert hashlib.sha256(film.read_bytes()).hexdigest() == before
    assert [p for p in (session / "renders").iterdir() if ".partial" in p.name] == []


FILL_THE_DISK_AFTER_THE_ENCODE = """
import resource, signal, sys
from pipeline.cli.app import app
from pipeline.render import loudness

measure = loudness.measure_file


def measure_then_fill(path):
    found = measure(path)  # the last thing ffmpeg does: from here on the disk is full
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))
    return found


loudness.measure_file = measure_then_fill
app(prog_name="capture", args=["-q", "render", sys.argv[1], "full", "--reencode"])
"""


@pytest.mark.slow
def test_a_full_disk_after_the_encode_keeps_each_film_with_its_reports(tiny_sample, tmp_path):
    """The new film replaced the old one, then writing its report and exports failed:
    renders/ held a film beside another film's report, or none."""
    session = _fresh(tiny_sample, tmp_path / "reports")
    assert run_session(load_session(session), until="render-full").failed is None
    renders = session / "renders"

    def contents() -> dict[str, str]:
        return {p.relative_to(renders).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in renders.rglob("*") if p.is_file()}  # fmt: skip

    before = contents()
    assert {"full.mp4", "full.json", "full.otio", "full.edl"} <= set(before)
    cues = session / "cues" / "full.yaml"  # the editor's change: a new film
    cues.write_text(re.sub(r"title_card:\n  duration: [0-9.]+", "title_card:\n  duration: 2.0",
                           cues.read_text(encoding="utf-8")), encoding="utf-8")  # fmt: skip
    full = subprocess.run(
        [sys.executable, "-c", FILL_THE_DISK_AFTER_THE_ENCODE, str(session)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert full.returncode == 6, full.stderr
    assert "free some space" in full.stderr and "Traceback" not in full.stderr
    assert contents() == before, "the old film and its reports, untouched, and nothing else"


@pytest.mark.slow
def test_a_full_disk_in_capture_s_own_write_is_reported_and_recorded(tiny_sample, tmp_path) -> None:
    """A file-size limit stands in for a full disk, this time in a file capture writes itself:
    it was an internal error, the run table was lost and run.json said "running"."""
    session = _fresh(tiny_sample, tmp_path / "own-write")

    def tiny_disk() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (3000, 3000))
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    full = subprocess.run(
        [sys.executable, "-m", "pipeline", "run", str(session), "--until", "sync"],
        capture_output=True, text=True, preexec_fn=tiny_disk,
    )  # fmt: skip
    assert full.returncode == 6, full.stderr
    assert "grew past the size limit" in full.stderr and "free some space" in full.stderr
    assert "internal error" not in full.stderr and "Traceback" not in full.stderr
    assert re.search(r"ingest\s*│\s*failed", full.stdout), full.stdout
    state = json.loads((session / "work" / "run.json").read_text(encoding="utf-8"))
    assert state["steps"]["ingest"]["state"] == "failed"
    assert run_session(load_session(session), until="sync").failed is None


def test_a_read_only_session_folder_is_a_clear_error(tiny_sample, tmp_path) -> None:
    """Bind-mounted read-only in a user namespace (chmod does not stop root)."""
    if subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode != 0:
        pytest.skip("no user namespaces here to mount a folder read-only")
    session = _fresh(tiny_sample, tmp_path / "read-only")
    script = 'mount --bind -o ro "$1" "$1" && exec "$2" -m pipeline ingest "$1"'
    result = subprocess.run(
        ["unshare", "-rm", "sh", "-c", script, "sh", str(session), sys.executable],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 3, result.stderr
    assert "read-only file system" in result.stderr and str(session) in result.stderr
    assert "internal error" not in result.stderr


def test_a_second_writing_command_waits_for_the_first_and_a_dead_ones_lock_is_taken(
    tiny_sample, tmp_path
) -> None:
    """A second `capture run` during transcription redid the live step alongside the first."""
    session = _fresh(tiny_sample, tmp_path / "locked")
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, time\nfrom pathlib import Path\nfrom pipeline.session import load_session\n"
         "from pipeline.session.lock import lock_session\n"
         "lock_session(load_session(Path(sys.argv[1])), 'capture transcribe')\n"
         "print('held', flush=True); time.sleep(120)", str(session)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert holder.stdout.readline().strip() == "held"
    cli = [sys.executable, "-m", "pipeline"]
    try:
        second = subprocess.run([*cli, "run", str(session), "--until", "ingest"],
                                capture_output=True, text=True)  # fmt: skip
        assert second.returncode == 6, second.stderr
        said = " ".join(second.stderr.split())
        assert f"`capture transcribe` (process {holder.pid}, since " in said
        assert "wait for it to end" in said
        assert not (session / "work" / "ingest.json").exists()
        status = subprocess.run([*cli, "status", str(session), "--json"],
                                capture_output=True, text=True)  # fmt: skip
        assert "capture transcribe" in json.loads(status.stdout)["busy"]
        # a batch refuses the busy session before it starts anything
        batch = subprocess.run([*cli, "batch", str(session)], capture_output=True, text=True)
        assert batch.returncode == 6, batch.stderr
        refused = " ".join(batch.stderr.split())
        assert f"`capture transcribe` (process {holder.pid}, since " in refused
        assert not (session / "work" / "ingest.json").exists()
    finally:
        holder.kill()  # as kill -9 would: the lock goes with the process
        holder.wait()
    again = subprocess.run([*cli, "run", str(session), "--until", "ingest"],
                           capture_output=True, text=True)  # fmt: skip
    assert again.returncode == 0, again.stderr
    status = subprocess.run(
        [*cli, "status", str(session), "--json"], capture_output=True, text=True
    )
    assert json.loads(status.stdout)["busy"] is None


@pytest.mark.slow
def test_a_step_done_by_its_own_command_counts_for_status_and_run(tiny_sample, tmp_path) -> None:
    """A standalone `capture render` was not recorded: status kept "failed" and the next run
    rendered again; after `capture ingest`, status said "sync not run"."""
    session = _fresh(tiny_sample, tmp_path / "standalone")
    cli = [sys.executable, "-m", "pipeline", "-q"]
    ingest = subprocess.run([*cli, "ingest", str(session)], capture_output=True, text=True)
    assert ingest.returncode == 0, ingest.stderr
    states = {s.name: s for s in step_statuses(load_session(session))}
    assert states["ingest"].condition == StepState.DONE == states["sync"].condition
    assert run_session(load_session(session), until="render-full").failed is None
    cues = session / "cues" / "highlights.yaml"
    good = cues.read_text(encoding="utf-8")
    cues.write_text("clips:\n  - {in: 1.0, out: 3.0, camera: Z}\n", encoding="utf-8")
    broken = run_session(load_session(session), until="render-highlights")
    assert broken.failed is not None and broken.failed.name == "render-highlights"
    cues.write_text(good, encoding="utf-8")
    by_hand = subprocess.run([*cli, "render", str(session), "highlights"],
                             capture_output=True, text=True)  # fmt: skip
    assert by_hand.returncode == 0, by_hand.stderr
    states = {s.name: s for s in step_statuses(load_session(session))}
    assert states["render-highlights"].condition == StepState.DONE
    assert states["render-highlights"].detail == "by `capture render highlights`"
    again = run_session(load_session(session), until="render-highlights")
    assert [r.verdict for r in again.results][-1] == Verdict.SKIPPED
    # a transcript made by `capture transcribe` in chunks of its own length: status and run
    # judge it by that length (another length is another transcript)
    chunked = subprocess.run([*cli, "transcribe", str(session), "--chunk-minutes", "0.2"],
                             capture_output=True, text=True)  # fmt: skip
    assert chunked.returncode == 0, chunked.stderr
    states = {s.name: s for s in step_statuses(load_session(session))}
    assert states["transcribe"].condition == StepState.DONE, states["transcribe"]
    same = run_session(load_session(session), until="transcribe", chunk_seconds=12.0)
    assert same.results[-1].verdict == Verdict.SKIPPED
    default = run_session(load_session(session), until="transcribe")
    assert (default.results[-1].verdict, default.results[-1].reason) == (
        Verdict.RAN,
        "chunk length changed",
    )
