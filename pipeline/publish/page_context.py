"""What the session page shows, from the manifest and the films' text: plain values for the
template (the template escapes them)."""

from __future__ import annotations

from pipeline.publish.manifest import Film, Rendition, SessionManifest
from pipeline.publish.pages import clock_text, duration_text, script_json, size_text
from pipeline.publish.texttracks import FilmText
from pipeline.session import Person
from pipeline.subtitles.formats import vtt_cue_text
from pipeline.timeline.card_text import french_date

DEFAULT_HEIGHT = 720
"""The player's source: the largest rendition up to this height (the others are links)."""


def _default(film: Film) -> Rendition:
    """The H.264 rendition every browser plays."""
    playable = [r for r in film.renditions if r.codec == "h264"]
    fitting = [r for r in playable if r.height <= DEFAULT_HEIGHT]
    return (
        max(fitting, key=lambda r: r.height) if fitting else min(playable, key=lambda r: r.height)
    )


def _lighter(film: Film, source: Rendition) -> dict | None:
    """The AV1 rendition of the source's size, offered first to browsers that play it."""
    same = [r for r in film.renditions if r.codec == "av1" and r.height == source.height]
    if not same:
        return None
    return {"file": same[0].file.path, "type": f'video/mp4; codecs="{same[0].codecs}"'}


def _rendition_label(rendition: Rendition) -> str:
    """``720p``, or ``720p AV1`` for the AV1 rendition of that height."""
    return f"{rendition.height}p AV1" if rendition.codec == "av1" else rendition.name


def _film(film: Film, text: FilmText) -> dict:
    source = _default(film)
    cues = [[c.start_ms / 1000, c.end_ms / 1000, vtt_cue_text(c)] for c in text.cues]
    return {
        "name": film.name, "label": film.label, "duration_text": duration_text(film.duration_s),
        "poster": film.poster.file.path if film.poster else None,
        "source": source.file.path, "width": source.width, "height": source.height,
        "lighter_source": _lighter(film, source),
        "captions": film.captions.path, "chapters_vtt": film.chapters.path,
        "thumbnails": film.thumbnails_vtt.path, "srt": film.srt.path,
        "transcript_txt": film.transcript_txt.path, "hls": film.hls_master.path,
        "cues_json": script_json(cues),
        "renditions": [{"name": _rendition_label(r), "file": r.file.path,
                        "size_text": size_text(r.file.bytes)} for r in film.renditions],
        "listening": {"file": film.listening.file.path,
                      "size_text": size_text(film.listening.file.bytes)}
        if film.listening else None,
        "chapters": [{"start": f"{start / 1000:.3f}", "time": clock_text(start / 1000),
                      "title": title} for start, _, title in text.chapters],
    }  # fmt: skip


def _paragraphs(text: FilmText) -> list[dict]:
    return [{"start": f"{p.start_ms / 1000:.3f}", "time": clock_text(p.start_ms / 1000),
             "speaker": p.speaker, "text": p.text} for p in text.paragraphs]  # fmt: skip


def session_context(
    manifest: SessionManifest, texts: dict[str, FilmText], people: list[Person]
) -> dict:
    films = {f.name: f for f in manifest.films}
    full = films["full"]
    sources = {name: _default(film).file.path for name, film in films.items()}
    return {
        "root": "../",
        "s": manifest,
        "date_text": french_date(manifest.date),
        "films": [_film(film, texts[film.name]) for film in manifest.films],
        "speakers": [{"name": p.name, "detail": ", ".join(x for x in (p.role, p.organisation) if x)}
                     for p in people],
        "quotes": [{"text": q.text, "still": q.still.path, "film": q.film,
                    "source": sources[q.film], "start": f"{q.time_s:.3f}",
                    "time": clock_text(q.time_s)} for q in manifest.quotes],
        "reviewed": full.captions_reviewed,
        "transcript_source": sources["full"],
        "paragraphs": _paragraphs(texts["full"]),
        "highlights_paragraphs": _paragraphs(texts["highlights"]) if "highlights" in texts else [],
        "highlights_source": sources.get("highlights"),
        "ambiance": [{"file": s.file.path, "time": clock_text(s.time_s)}
                     for s in manifest.ambiance],
        "photos": [{"file": p.file.path, "caption": p.caption, "credit": p.credit}
                   for p in manifest.photos],
        "documents": [{"title": d.title, "file": d.file.path, "size_text": size_text(d.file.bytes),
                       "kind": d.file.path.rsplit(".", 1)[-1].upper()} for d in manifest.documents],
        "links": manifest.links,
        "credits": [v for k, v in manifest.credits.items()],
    }  # fmt: skip
