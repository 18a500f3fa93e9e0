"""The cycle's synthesis film: a folder with no cameras whose cue list cuts two generated
Rencontres (real ffmpeg), captioned from each Rencontre's master subtitles, made by
``capture run`` and published on the cycle's home page."""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import yaml
from conftest import script_transcript

from pipeline.core.errors import CaptureError, ConfigError
from pipeline.orchestrate.run import run_session, step_statuses
from pipeline.publish.cycle import upcoming_sessions
from pipeline.publish.run import publish
from pipeline.session import LoadedSession, load_session
from pipeline.session.artifacts.run import StepState
from pipeline.session.artifacts.transcript import write_transcript
from pipeline.session.siblings import sibling_base_ms, sibling_sessions
from pipeline.subtitles.formats import read_subtitles, to_srt
from pipeline.subtitles.master import generated_cues
from pipeline.timeline.build import build_timeline
from pipeline.timeline.film_plan import plan_film
from pipeline.timeline.lower_thirds import lower_thirds
from pipeline.transcription.glossary import plain_text

pytestmark = pytest.mark.slow

CARD_S = 2.0
FOOD_IN, FOOD_OUT = 9.0, 13.5
"""An exact clip of the first Rencontre around “Sur ma ferme, nous vendons tout…”."""
MOBILITY_FROM = "Moins en voiture seule"
MOBILITY_TO = "toutes les quinze minutes"


@dataclass(frozen=True)
class Cycle:
    root: Path
    food: LoadedSession
    mobility: LoadedSession
    host: LoadedSession
    site: Path
    truths: dict[str, object]
    ran: list[str]


def _ran(log: Path) -> list[str]:
    return re.findall(r"step (\S+): ran in", log.read_text(encoding="utf-8"))


def _host(root: Path, food: str, mobility: str) -> Path:
    host = root / "synthese-du-cycle"
    (host / "cues").mkdir(parents=True, exist_ok=True)  # the sample made one: ours replaces it
    session = {"slug": "synthese-du-cycle", "title": "Synthèse du cycle", "kind": "closing",
               "date": "2026-12-29", "place": "Hôtel de la Métropole"}  # fmt: skip
    (host / "session.yaml").write_text(yaml.safe_dump(session, allow_unicode=True), "utf-8")
    cues = {
        "title_card": {"duration": CARD_S},
        "clips": [
            {"session": food, "in": FOOD_IN, "out": FOOD_OUT, "exact": True},
            {"session": mobility, "from": MOBILITY_FROM, "to": MOBILITY_TO},
        ],
        "lower_thirds": [{"session": mobility, "at": 19.0, "speaker": "Hugo Lefèvre"}],
        "chapters": [{"session": food, "at": FOOD_IN, "title": "Manger local"},
                     {"session": mobility, "at": 18.0, "title": "Se déplacer"}],
    }  # fmt: skip
    (host / "cues" / "synthesis.yaml").write_text(yaml.safe_dump(cues, allow_unicode=True),
                                                  "utf-8")  # fmt: skip
    return host


@pytest.fixture(scope="module")
def cycle(tmp_path_factory) -> Cycle:
    """Two tiny Rencontres ingested, synced and transcribed (their scripts as transcripts),
    and a synthesis folder cutting both, made and published by ``capture run``."""
    from pipeline.ingest.run import ingest_declared
    from pipeline.samples.demo_cycle import generate_cycle
    from pipeline.sync.run import run_sync

    root = tmp_path_factory.mktemp("cycle")
    made = generate_cycle(root, tiny=True, today=date(2026, 9, 1))
    sessions, truths = [], {}
    for sample in made.sessions:
        loaded = load_session(sample.session)
        ingest_declared(loaded)
        run_sync(loaded)
        write_transcript(script_transcript(sample.truth), loaded.folder)
        sessions.append(loaded)
        truths[loaded.root.name] = sample.truth
    food, mobility = sessions
    host = load_session(_host(root, food.root.name, mobility.root.name))
    site = root / "site"
    report = run_session(host, site=site)
    assert report.failed is None, report.failed
    return Cycle(root, food, mobility, host, site, truths, _ran(report.log))


def _word_time(truth, word: str, after: float) -> float:
    """When the script first says ``word`` after ``after`` seconds (its words spread evenly
    over each line, as ``script_transcript`` makes them)."""
    for line in truth.script:
        texts = line.text.split()
        for index, text in enumerate(texts):
            at = line.start + index * (line.end - line.start) / len(texts)
            if plain_text(text) == plain_text(word) and at >= after:
                return at
    raise AssertionError(f"{word!r} is not in the script after {after} s")


def _cue_saying(cues, word: str, at_s: float):
    """The cue that shows ``word`` at ``at_s`` (film seconds), or None."""
    for cue in cues:
        if plain_text(word) in plain_text(cue.text).split():
            if cue.start_ms / 1000 - 0.1 <= at_s <= cue.end_ms / 1000 + 0.1:
                return cue
    return None


def _mobility_in_s(c: Cycle) -> float:
    """Where the quote clip was cut in, on the second Rencontre's own clock."""
    plan = plan_film(c.host, "synthesis")
    assert plan is not None
    return (plan.clips[1].in_ms - sibling_base_ms(c.mobility.root.name)) / 1000


def _duration(path: Path) -> float:
    args = ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0",
            str(path)]  # fmt: skip
    return float(subprocess.run(args, capture_output=True, text=True, check=True).stdout)


def test_capture_run_makes_the_synthesis_from_both_rencontres(cycle: Cycle) -> None:
    assert cycle.ran == ["subtitles", "render-synthesis", "publish"]
    again = run_session(load_session(cycle.host.root), site=cycle.site)
    assert again.failed is None and _ran(again.log) == [], "nothing changed: nothing is redone"
    report = json.loads((cycle.host.folder.render_report("synthesis")).read_text("utf-8"))
    files = [s["file"] for item in report["items"] for s in item.get("video", [])]
    for session in (cycle.food, cycle.mobility):
        assert any(f.startswith(f"../../{session.root.name}/media/") for f in files), files
    hashed = [s for item in report["items"] for s in item.get("video", [])]
    assert hashed and all(s["hash"] for s in hashed), "each source keeps its verified hash"
    in_s = _mobility_in_s(cycle)
    said = _word_time(cycle.truths[cycle.mobility.root.name], "Moins", 0)
    assert said - 1.3 <= in_s <= said - 0.05, "the quote's clip starts in the pause before it"
    plan = plan_film(cycle.host, "synthesis")
    out_s = (plan.clips[1].out_ms - sibling_base_ms(cycle.mobility.root.name)) / 1000
    expected = CARD_S + (FOOD_OUT - FOOD_IN) + (out_s - in_s)
    assert _duration(cycle.host.folder.render("synthesis")) == pytest.approx(expected, abs=0.05)
    others = sibling_sessions(cycle.host, plan.cue_list.sessions)
    (shown,) = lower_thirds(plan.cue_list, cycle.host.session, plan.timemap, others)
    hugo = next(p for p in cycle.mobility.session.people if p.name == "Hugo Lefèvre")
    assert shown.detail == hugo.detail and hugo.detail
    assert shown.start_s == pytest.approx(CARD_S + FOOD_OUT - FOOD_IN + 19.0 - in_s, abs=0.05)
    editorial = cycle.host.folder.renders / "synthesis.otio"
    assert cycle.food.root.name in editorial.read_text("utf-8")


def test_the_subtitles_say_what_is_said_in_each_clip(cycle: Cycle) -> None:
    cues = read_subtitles(cycle.host.folder.film_subtitles("synthesis", "srt"))
    food = cycle.truths[cycle.food.root.name]
    mobility = cycle.truths[cycle.mobility.root.name]
    # the first Rencontre, cut exactly: a word's film time follows from the script alone
    for word in ("Sur", "vendons", "trente"):
        at = CARD_S + _word_time(food, word, FOOD_IN) - FOOD_IN
        assert _cue_saying(cues, word, at), (word, at, [(c.start_ms, c.text) for c in cues])
    first = next(c for c in cues if c.start_ms / 1000 >= CARD_S)
    said = _word_time(food, "Sur", FOOD_IN)
    assert first.start_ms / 1000 == pytest.approx(CARD_S + said - FOOD_IN, abs=0.05)
    # the second, cut around a quote: from where its clip starts on its own clock
    start = CARD_S + FOOD_OUT - FOOD_IN
    in_s = _mobility_in_s(cycle)
    for word in ("Moins", "tramway", "express"):
        at = start + _word_time(mobility, word, in_s) - in_s
        assert _cue_saying(cues, word, at), (word, at, [(c.start_ms, c.text) for c in cues])
    second = next(c for c in cues if c.start_ms / 1000 >= start)
    said = _word_time(mobility, "Moins", in_s)
    assert second.start_ms / 1000 == pytest.approx(start + said - in_s, abs=0.05)
    assert not any("Bonsoir" in c.text for c in cues), "nothing said outside the clips"


def test_it_is_published_on_the_cycle_home(cycle: Cycle) -> None:
    home = (cycle.site / "index.html").read_text("utf-8")
    manifest = json.loads((cycle.site / "cycle/synthese/manifest.json").read_text("utf-8"))
    film = manifest["film"]
    assert sorted(manifest["sessions"]) == sorted(
        [cycle.food.root.name, cycle.mobility.root.name]
    )  # fmt: skip
    for published in [*(r["file"] for r in film["renditions"]), film["captions"],
                      film["chapters"], film["transcript_txt"]]:  # fmt: skip
        assert (cycle.site / "cycle/synthese" / published["path"]).is_file()
    source = f'src="cycle/synthese/{film["captions"]["path"]}"'
    assert source in home and 'kind="captions"' in home
    chapters = (cycle.site / "cycle/synthese" / film["chapters"]["path"]).read_text("utf-8")
    assert "Manger local" in chapters and "Se déplacer" in chapters
    assert "Synthèse du cycle" in home
    assert not (cycle.site / "synthese-du-cycle").exists(), "not published as a session"
    announced = upcoming_sessions(cycle.root, set(), date(2026, 9, 1))
    assert [u.slug for u in announced] == ["cloture-du-cycle"], "the film is no session"


def test_a_clip_that_starts_mid_sentence_is_captioned_from_its_first_word(cycle: Cycle) -> None:
    """A session nobody reviewed is captioned clip by clip from its words, as the film's
    own: a clip that starts in the middle of a subtitle still shows what it lets be heard."""
    from pipeline.subtitles.film_cues import film_cues, timeline_maps

    food = cycle.food
    assert not food.folder.reviewed_subtitles.exists()
    cues_file = cycle.host.folder.cue_list("synthesis")
    text = cues_file.read_text("utf-8")
    mid = {"clips": [{"session": food.root.name, "in": 11.0, "out": 16.0, "exact": True}]}
    try:
        cues_file.write_text(yaml.safe_dump(mid), "utf-8")
        host = load_session(cycle.host.root)
        film = timeline_maps(host, [], None)["synthesis"]
        cues = film_cues(host, [], False, film.timemap, None, cue_list=film.cue_list)
    finally:
        cues_file.write_text(text, "utf-8")
    truth = cycle.truths[food.root.name]
    for word in ("trente", "kilometres", "alimentaire"):
        at = _word_time(truth, word, 11.0) - 11.0
        assert _cue_saying(cues, word, at), (word, at, [(c.start_ms, c.text) for c in cues])
    assert not any("ferme" in c.text for c in cues), "said before the clip starts"


def test_a_reviewers_correction_flows_into_the_synthesis(cycle: Cycle) -> None:
    from pipeline.session.artifacts.transcript import load_transcript

    food = cycle.food
    master = generated_cues(food, load_transcript(food.folder))
    corrected = [c.__class__(c.start_ms, c.end_ms, tuple(line.replace("ferme", "exploitation")
                             for line in c.lines)) for c in master]  # fmt: skip
    assert corrected != master
    food.folder.reviewed_subtitles.parent.mkdir(parents=True, exist_ok=True)
    food.folder.reviewed_subtitles.write_text(to_srt(corrected), encoding="utf-8")
    with pytest.raises(CaptureError, match="reviewed subtitles changed"):  # not published stale
        publish(load_session(cycle.host.root), cycle.site)
    statuses = {s.name: s for s in step_statuses(load_session(cycle.host.root))}
    assert statuses["subtitles"].condition == StepState.STALE
    assert statuses["render-synthesis"].condition == StepState.DONE
    again = run_session(load_session(cycle.host.root), site=cycle.site)
    assert again.failed is None
    assert _ran(again.log) == ["subtitles", "publish"]
    cues = read_subtitles(cycle.host.folder.film_subtitles("synthesis", "srt"))
    at = CARD_S + _word_time(cycle.truths[food.root.name], "ferme,", FOOD_IN) - FOOD_IN
    assert _cue_saying(cues, "exploitation", at), [(c.start_ms, c.text) for c in cues]
    published = (cycle.site / "cycle/synthese/text/synthesis.fr.vtt").read_text("utf-8")
    assert "exploitation" in published


def test_a_session_that_is_not_beside_it_is_refused_at_its_line(cycle: Cycle) -> None:
    cues = cycle.host.folder.cue_list("synthesis")
    text = cues.read_text("utf-8")
    try:
        cues.write_text(text.replace(f"session: {cycle.food.root.name}", "session: ailleurs"),
                        "utf-8")  # fmt: skip
        with pytest.raises(ConfigError) as refused:
            plan_film(load_session(cycle.host.root), "synthesis")
        where = [(p.field, p.line) for p in refused.value.problems]
        assert ("chapters[0]", 2) in where and ("clips[0]", 9) in where, where
        assert all("ailleurs" in p.message and "no session folder" in p.message
                   for p in refused.value.problems)  # fmt: skip
        cues.write_text(text.replace(f"session: {cycle.food.root.name}", "session: ../x", 1),
                        "utf-8")  # fmt: skip
        with pytest.raises(ConfigError, match=r"synthesis\.yaml"):
            plan_film(load_session(cycle.host.root), "synthesis")
        link = cycle.root / "lien"  # a link beside it, to a session folder elsewhere
        link.symlink_to(cycle.food.root, target_is_directory=True)
        cues.write_text(text.replace(f"session: {cycle.food.root.name}", "session: lien"),
                        "utf-8")  # fmt: skip
        with pytest.raises(ConfigError, match=r"synthesis\.yaml:9: clips\[0\].*is a link"):
            plan_film(load_session(cycle.host.root), "synthesis")
        unfilmed = {
            "clips": [
                {"session": "cloture-du-cycle", "in": 1, "out": 2, "exact": True},
                {"session": "cloture-du-cycle", "in": 3, "out": 4, "exact": True},
            ]
        }
        cues.write_text(yaml.safe_dump(unfilmed), "utf-8")  # announced, not filmed yet
        with pytest.raises(ConfigError) as refused:
            build_timeline(load_session(cycle.host.root), "synthesis")
        (problem,) = refused.value.problems  # once, not at every clip
        assert problem.line == 2 and "nothing on the session clock" in problem.message
        assert "cloture-du-cycle" in problem.message
        late = text.replace("at: 19.0", "at: 40000")  # 11 hours into the Rencontre
        cues.write_text(late, "utf-8")
        with pytest.raises(ConfigError, match=r"lower_thirds\[0\]: at is past the 10 hours"):
            plan_film(load_session(cycle.host.root), "synthesis")
    finally:
        cues.write_text(text, "utf-8")
        (cycle.root / "lien").unlink(missing_ok=True)
