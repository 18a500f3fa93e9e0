"""Stills for the written restitution: the session's ambiance (from the full version) and
one at each quote of the cue lists."""

from __future__ import annotations

from pathlib import Path

from pipeline.publish import images
from pipeline.publish.manifest import Film, PublishedFile, QuoteStill, SessionManifest, Still
from pipeline.publish.rendered import RenderedFilm
from pipeline.session import FILMS, LoadedSession
from pipeline.session.cuelist import load_cue_list

AMBIANCE_STILLS = 6
STILL_WIDTH = 1280


def cue_list_quotes(loaded: LoadedSession) -> list[tuple[int, str]]:
    found = []
    for name in FILMS:
        cue_list = load_cue_list(loaded, name)
        found += [(q.at, q.text) for q in cue_list.quotes] if cue_list else []
    return sorted(set(found))


def ambiance(
    film: RenderedFilm, found: list[images.Candidate] | None, folder: Path,
    old: SessionManifest | None,
) -> list[Still]:  # fmt: skip
    """Chosen again whenever the full version's frames were measured again (``found`` is
    None when its encodes were reused: the previous stills stand)."""
    if found is None:
        return [s for s in (old.ambiance if old else []) if s.file.intact(folder)]
    stills = []
    chosen = images.choose_ambiance(found, AMBIANCE_STILLS, film.duration_s)
    for number, candidate in enumerate(chosen, start=1):
        target = folder / "images" / f"ambiance-{number:02d}.jpg"
        images.extract_still(film.master, candidate.time_s, target, width=STILL_WIDTH)
        stills.append(Still(time_s=candidate.time_s, file=PublishedFile.of(folder, target)))
    return stills


def quote_stills(
    quotes: list[tuple[int, str]], films: list[tuple[RenderedFilm, Film]], folder: Path,
    old: SessionManifest | None,
) -> list[QuoteStill]:  # fmt: skip
    """Each quote in the first film that shows its moment (the full version first); a
    still is taken again when the quote, its film or that film's master changed."""
    previous = {(q.session_ms, q.text): q for q in (old.quotes if old else [])}
    entries = []
    for number, (session_ms, text) in enumerate(quotes, start=1):
        placed = next(((f, e, t) for f, e in films
                       if (t := f.timemap.to_output(session_ms)) is not None), None)  # fmt: skip
        if placed is None:
            continue
        film, entry, output_ms = placed
        time_s = output_ms / 1000
        target = folder / "images" / f"quote-{number:02d}.jpg"
        kept = previous.get((session_ms, text))
        same = (
            kept is not None
            and (kept.film, kept.film_inputs) == (film.name, entry.inputs)
            and kept.still.path == target.relative_to(folder).as_posix()
            and abs(kept.time_s - time_s) < 1e-3
            and kept.still.intact(folder)
        )
        if not same:
            images.extract_still(film.master, time_s, target, width=STILL_WIDTH)
        entries.append(QuoteStill(text=text, session_ms=session_ms, film=film.name,
                             film_inputs=entry.inputs, time_s=time_s,
                             still=PublishedFile.of(folder, target)))  # fmt: skip
    return entries
