"""The cycle's pages from site.yaml and the published sessions: the search index (French
stems, accents folded), speaker pages, the calendar of sessions not filmed yet, the legal
pages, and site.yaml's errors named by line."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest

from pipeline.core.errors import ConfigError
from pipeline.publish.search import Passage, build_index, fold, stem
from pipeline.publish.site_config import load_site_config
from pipeline.subtitles.cues import Cue
from pipeline.subtitles.paragraphs import PARAGRAPH_CHARS, paragraphs


def _search(index: dict, query: str) -> list[int]:
    """The browser's search, word for word (assets/search.js): every word's stems, AND."""
    hits = None
    for word in re.findall(r"[^\W_]+", query):
        folded = fold(word)
        if folded in index["stop_words"] and folded not in index["forms"]:
            continue
        forms = index["forms"]
        begun = [s for f, s in forms.items() if len(folded) >= 3 and f.startswith(folded)]
        stems = [forms[folded]] if folded in forms else begun
        found = {n for s in stems for n in index["stems"].get(s, [])}
        hits = found if hits is None else hits & found
    return sorted(hits or [])


def test_search_finds_every_form_of_a_word_accents_and_case_folded() -> None:
    passages = [
        Passage(0, 12.0, "Nadia Benali", "Les terres agricoles de la métropole reculent."),
        Passage(0, 40.5, "Jacques Dubois", "L'agriculture urbaine ne nourrira pas tout le monde."),
        Passage(1, 3.0, None, "Une politique agricole commune à l'échelle de la Métropole."),
    ]
    index = build_index([{"slug": "a"}, {"slug": "b"}], passages)
    assert _search(index, "agricole") == [0, 2]  # "agricoles" and "agricole": one stem
    assert _search(index, "AGRICOLES") == [0, 2]
    assert _search(index, "metropole") == [0, 2], "accents folded"
    assert _search(index, "agricole métropole") == [0, 2]
    assert _search(index, "les terres de la métropole") == [0], "function words skipped"
    assert _search(index, "agriculture commune") == [], "every word must be there"
    assert _search(index, "agricult") == [1], "a word's beginning finds its forms"
    index = build_index([{"slug": "a"}], [Passage(0, 1.0, None, "La métropole de 2040.")])
    assert _search(index, "2040") == [0], "numbers are words too"
    assert "la" not in index["forms"] and "de" not in index["forms"], "function words left out"
    assert stem("Échelle") == stem("échelles") == fold(stem("échelle"))


def test_a_long_turn_reads_in_short_paragraphs_cut_at_sentence_ends() -> None:
    sentence = "Nous avons planté des haies autour des parcelles maraîchères du plateau. "
    cues = [Cue(i * 3000, i * 3000 + 2800, (sentence.strip(),), speaker="Jacques Dubois")
            for i in range(40)]  # fmt: skip
    cues.append(Cue(121_000, 123_000, ("Merci.",), speaker="Claire Martin"))
    cues.append(Cue(123_200, 125_000, ("[Applaudissements]",)))
    cues.append(Cue(125_200, 127_000, ("Bonsoir.",)))
    found = paragraphs(cues)
    assert [p.text for p in found[-2:]] == ["[Applaudissements]", "Bonsoir."], "its own"
    found = found[:-2]
    his = [p for p in found if p.speaker == "Jacques Dubois"]
    assert len(his) > 1 and all(len(p.text) < PARAGRAPH_CHARS + len(sentence) for p in his)
    assert all(p.text.endswith(".") for p in his)
    assert " ".join(p.text for p in his) == " ".join([sentence.strip()] * 40), "nothing lost"
    assert found[-1].speaker == "Claire Martin"


def test_site_yaml_errors_are_named_by_line(tmp_path: Path) -> None:
    site_yaml = tmp_path / "site.yaml"
    site_yaml.write_text("title: Les Rencontres\nbase_url: pas une adresse\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_site_config(tmp_path)
    assert "site.yaml:2" in str(raised.value) and "base_url" in str(raised.value)
    site_yaml.write_text("documents:\n  - {title: Programme, path: ../../etc/passwd}\n"
                         "  - {title: Bilan, path: bilan.pdf}\n", encoding="utf-8")  # fmt: skip
    with pytest.raises(ConfigError) as raised:
        load_site_config(tmp_path)
    message = str(raised.value)
    assert "site.yaml:2" in message and "passwd" in message, "outside the cycle folder"
    assert "site.yaml:3" in message and "bilan.pdf" in message, "missing"
    assert load_site_config(tmp_path / "absent").title == "Les Rencontres de la Métropole"


def test_the_calendar_lists_sessions_not_filmed_yet(tmp_path: Path) -> None:
    from pipeline.publish.cycle import upcoming_sessions

    soon, past = date.today() + timedelta(days=20), date.today() - timedelta(days=3)
    for slug, day, kind in (("prochaine", soon, "rencontre"), ("passee", past, "rencontre"),
                            ("cloture", soon + timedelta(days=60), "closing")):  # fmt: skip
        (tmp_path / slug).mkdir()
        (tmp_path / slug / "session.yaml").write_text(
            f"slug: {slug}\ntitle: Séance {slug}\ndate: {day}\nkind: {kind}\n"
            "speakers: [{name: Léa Petit}]\n", encoding="utf-8")  # fmt: skip
    (tmp_path / "brouillon").mkdir()
    (tmp_path / "brouillon" / "session.yaml").write_text("title: [\n", encoding="utf-8")
    found = upcoming_sessions(tmp_path, {"deja-publiee"}, date.today())
    assert [(u.slug, u.kind, u.speakers) for u in found] == [
        ("prochaine", "rencontre", ["Léa Petit"]),
        ("cloture", "closing", ["Léa Petit"]),
    ]
    assert [u.slug for u in upcoming_sessions(tmp_path, {"prochaine"}, date.today())] == [
        "cloture"]  # fmt: skip


def test_the_turns_of_a_published_session_feed_speaker_pages(tmp_path: Path) -> None:
    from pipeline.publish.cycle import PublishedSession, Turn, speaker_pages
    from pipeline.publish.manifest import PublishedPerson, SessionManifest

    def session(slug: str, day: date, people: list[str]) -> PublishedSession:
        manifest = SessionManifest.model_construct(
            slug=slug, title=slug, date=day, facilitator=None, films=[],
            speakers=[PublishedPerson(name=n) for n in people])  # fmt: skip
        turns = [Turn(10.0 * i, n, f"{n} parle") for i, n in enumerate(people)]
        return PublishedSession(slug, manifest, turns)

    pages = speaker_pages([session("b", date(2026, 5, 1), ["Léa Petit", "Léa Petit"]),
                           session("a", date(2026, 3, 1), ["Léa Petit", "Marc Roux"]),
                           session("c", date(2026, 7, 1), ["Lea Petit", "Index", "Éva Zola",
                                                           "Ève Adam"])])  # fmt: skip
    by_slug = {p.slug: p for p in pages}
    assert set(by_slug) == {"lea-petit", "lea-petit-2", "marc-roux", "intervenant-index",
                            "eva-zola", "eve-adam"}  # fmt: skip
    assert by_slug["lea-petit-2"].person.name == "Léa Petit", "another person, another page"
    assert [(s.folder, [t.start_s for t in turns]) for s, turns in by_slug["lea-petit-2"].sessions
            ] == [("a", [0.0]), ("b", [0.0, 10.0])], "each session once"  # fmt: skip
    assert by_slug["lea-petit"].person.name == "Lea Petit"
    again = speaker_pages([session("c", date(2026, 7, 1), ["Lea Petit"]),
                           session("a", date(2026, 3, 1), ["Léa Petit"])])  # fmt: skip
    assert {p.person.name: p.slug for p in again} == {"Lea Petit": "lea-petit",
                                                       "Léa Petit": "lea-petit-2"}, (
        "a page keeps its person whatever was published first")  # fmt: skip
    assert json.dumps([p.person.name for p in pages], ensure_ascii=False) == (
        '["Ève Adam", "Index", "Lea Petit", "Léa Petit", "Marc Roux", "Éva Zola"]')  # fmt: skip


def test_a_publish_without_site_yaml_keeps_the_cycle_as_last_published(tmp_path: Path) -> None:
    from pipeline.publish.site_index import rebuild_index

    cycle, site = tmp_path / "cycle", tmp_path / "site"
    cycle.mkdir()
    site.mkdir()
    (cycle / "programme.pdf").write_bytes(b"%PDF-1.4\n")
    (cycle / "ancien.pdf").write_bytes(b"%PDF-1.4\n")
    (cycle / "site.yaml").write_text(
        "title: Les Rencontres du fleuve\nbase_url: https://fleuve.example.org/\n"
        "documents: [{title: Ancien, path: ancien.pdf}, {title: Programme, path: programme.pdf}]\n",
        encoding="utf-8")  # fmt: skip
    rebuild_index(site, cycle, load_site_config(cycle))
    assert (site / "cycle" / "documents" / "01-ancien.pdf").is_file()
    (cycle / "site.yaml").write_text(
        "title: Les Rencontres du fleuve\ndocuments: [{title: Programme, path: programme.pdf}]\n",
        encoding="utf-8")  # fmt: skip
    rebuild_index(site, cycle, load_site_config(cycle))
    assert sorted(p.name for p in (site / "cycle").rglob("*.pdf")) == ["01-programme.pdf"]
    assert not (site / "sitemap.xml").exists(), "no address: no sitemap"
    rebuild_index(site, tmp_path / "elsewhere", None)  # a session kept outside the cycle folder
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "Les Rencontres du fleuve" in home and "cycle/documents/01-programme.pdf" in home
    assert "Les Rencontres du fleuve" in (site / "mentions-legales.html").read_text("utf-8")


def test_a_hand_edited_site_manifest_cannot_make_a_script_link(tmp_path: Path) -> None:
    from pipeline.publish.site_index import rebuild_index

    cycle, site = tmp_path / "cycle", tmp_path / "site"
    cycle.mkdir()
    site.mkdir()
    (cycle / "programme.pdf").write_bytes(b"%PDF-1.4\n")
    (cycle / "site.yaml").write_text(
        "documents: [{title: Programme, path: programme.pdf}]\n", encoding="utf-8")  # fmt: skip
    rebuild_index(site, cycle, load_site_config(cycle))
    manifest = json.loads((site / "manifest.json").read_text(encoding="utf-8"))
    manifest["cycle_documents"][0]["file"]["path"] = "javascript:alert(1)"
    (site / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    rebuild_index(site, tmp_path / "elsewhere", None)
    assert "javascript:" not in (site / "index.html").read_text(encoding="utf-8")
