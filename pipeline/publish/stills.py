"""Stills for the written restitution: the session's ambiance (from the full version) and
one at each quote of the cue lists."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.core.errors import ConfigError, Problem
from pipeline.core.jobs import Job, Spread, one_after_another
from pipeline.core.tempfiles import filter_safe_tempdir
from pipeline.publish.manifest import Film, PublishedFile, QuoteStill, SessionManifest, Still
from pipeline.publish.rendered import RenderedFilm
from pipeline.render import images
from pipeline.session import FILMS, LoadedSession
from pipeline.session.cuelist import load_cue_list

AMBIANCE_STILLS = 6
STILL_WIDTH = 1280


@dataclass(frozen=True)
class CueQuote:
    session_ms: int
    text: str
    speaker: str | None = None


def cue_list_quotes(loaded: LoadedSession) -> list[CueQuote]:
    """Every quote of the cue lists, once, in session order. A quote's ``speaker`` must be
    a person of session.yaml (their role is printed with it): a typo is an error at its
    line, not a quote printed without its role."""
    found: dict[tuple[int, str], CueQuote] = {}
    people = {p.name for p in [loaded.session.facilitator, *loaded.session.speakers] if p}
    problems = []
    for name in FILMS:
        cue_list = load_cue_list(loaded, name)
        for index, quote in enumerate(cue_list.quotes if cue_list else []):
            if quote.speaker is not None and quote.speaker not in people:
                assert cue_list is not None
                problems.append(Problem(
                    loaded.folder.cue_list(name), cue_list.line_of(("quotes", index, "speaker")),
                    f"quotes[{index}].speaker",
                    f"{quote.speaker!r} is not in session.yaml (facilitator and speakers: "
                    f"{', '.join(sorted(people)) or 'none'})"))  # fmt: skip
            kept = found.get((quote.at, quote.text))
            if kept is None or kept.speaker is None:
                found[(quote.at, quote.text)] = CueQuote(quote.at, quote.text, quote.speaker)
    if problems:
        raise ConfigError(problems)
    return [found[key] for key in sorted(found)]


STILL_SEARCH_S = (0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0)
"""Where a quote's still is looked for, after its first word: the sharpest frame with a face
among these (a speaker caught mid-blink or mid-turn at the exact word is common)."""


def _best_still_time(film: RenderedFilm, session_ms: int, output_ms: int, work: Path) -> float:
    """The film moment of the best frame in the quote's first seconds, staying in the clip
    that shows it (a cut may follow) and before the film's end."""
    times = [
        (output_ms + round(offset * 1000)) / 1000
        for offset in STILL_SEARCH_S
        if film.timemap.to_output(session_ms + round(offset * 1000))
        == output_ms + round(offset * 1000)
        and (output_ms / 1000 + offset) < film.duration_s - 0.1
    ]
    if len(times) < 2:
        return output_ms / 1000
    detector = images.face_detector()
    frames = images.sample_frames(film.master, times, work)
    measured = [c for time_s, frame in frames if frame is not None
                and (c := images.measure(frame, time_s, detector)) is not None]  # fmt: skip
    best = images.choose_poster(measured)
    return best.time_s if best else output_ms / 1000


def ambiance(
    film: RenderedFilm, found: list[images.Candidate] | None, folder: Path,
    old: SessionManifest | None, spread: Spread = one_after_another,
) -> list[Still]:  # fmt: skip
    """Chosen again whenever the full version's frames were measured again (``found`` is
    None when its encodes were reused: the previous stills stand); each extracted as a
    job of ``spread``."""
    if found is None:
        return [s for s in (old.ambiance if old else []) if s.file.intact(folder)]
    chosen = images.choose_ambiance(found, AMBIANCE_STILLS, film.duration_s)
    targets = [folder / "images" / f"ambiance-{n:02d}.jpg" for n in range(1, len(chosen) + 1)]
    pairs = list(zip(chosen, targets, strict=True))
    spread([Job(f"ambiance still {n}/{len(pairs)}", images.extract_still,
                (film.master, candidate.time_s, target, STILL_WIDTH))
            for n, (candidate, target) in enumerate(pairs, start=1)])  # fmt: skip
    return [Still(time_s=candidate.time_s, file=PublishedFile.of(folder, target))
            for candidate, target in pairs]  # fmt: skip


def quote_still(film: RenderedFilm, session_ms: int, output_ms: int, target: Path) -> float:
    """A quote's still, extracted at its best moment (a job: it may run in another
    process); that moment, in film seconds."""
    with filter_safe_tempdir("capture-quote-") as work:
        still_time_s = _best_still_time(film, session_ms, output_ms, work)
    images.extract_still(film.master, still_time_s, target, width=STILL_WIDTH)
    return still_time_s


def quote_stills(
    quotes: list[CueQuote], films: list[tuple[RenderedFilm, Film]], folder: Path,
    old: SessionManifest | None, spread: Spread = one_after_another,
) -> list[QuoteStill]:  # fmt: skip
    """Each quote in the first film that shows its moment (the full version first); a
    still is chosen again (a job of ``spread``) when the quote, its film or that film's
    master changed."""
    previous = {(q.session_ms, q.text): q for q in (old.quotes if old else [])}
    placed: list[tuple[CueQuote, RenderedFilm, Film, int, Path]] = []
    for number, quote in enumerate(quotes, start=1):
        at = quote.session_ms
        found = next(((f, e, t) for f, e in films
                      if (t := f.timemap.to_output(at)) is not None), None)  # fmt: skip
        if found is not None:
            placed.append((quote, *found, folder / "images" / f"quote-{number:02d}.jpg"))
    kept: dict[Path, float] = {}
    for quote, film, entry, output_ms, target in placed:
        before = previous.get((quote.session_ms, quote.text))
        if (
            before is not None
            and (before.film, before.film_inputs) == (film.name, entry.inputs)
            and before.still.path == target.relative_to(folder).as_posix()
            and abs(before.time_s - output_ms / 1000) < 1e-3
            and before.still_time_s is not None
            and before.still.intact(folder)
        ):
            kept[target] = before.still_time_s
    to_do = [p for p in placed if p[4] not in kept]
    done = spread([Job(f"still of quote {target.stem.removeprefix('quote-')}", quote_still,
                       (film, quote.session_ms, output_ms, target))
                   for quote, film, _, output_ms, target in to_do])  # fmt: skip
    kept |= {p[4]: time_s for p, time_s in zip(to_do, done, strict=True)}
    return [QuoteStill(text=quote.text, session_ms=quote.session_ms, film=film.name,
                       film_inputs=entry.inputs, time_s=output_ms / 1000,
                       still=PublishedFile.of(folder, target), still_time_s=kept[target],
                       speaker=quote.speaker)
            for quote, film, entry, output_ms, target in placed]  # fmt: skip
