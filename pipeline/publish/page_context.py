"""What the session page shows, from the manifest and the films' text: plain values for the
template (the template escapes them)."""

from __future__ import annotations

from pipeline.publish.manifest import (
    CycleFilmManifest,
    Film,
    ImageSize,
    PublishedPhoto,
    Rendition,
    SessionManifest,
)
from pipeline.publish.pages import (
    clock_text,
    document_entry,
    duration_text,
    script_json,
    size_text,
)
from pipeline.publish.texttracks import FilmText
from pipeline.session import Person
from pipeline.subtitles.formats import vtt_cue_text
from pipeline.timeline.card_text import french_date

DEFAULT_HEIGHT = 720
"""The player's source: the largest rendition up to this height (the others are links)."""


def default_rendition(film: Film) -> Rendition:
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


SMALL_SCREEN_HEIGHT = 360
"""Phones (up to 700 CSS px wide) get the largest H.264 rendition up to this height."""


def _small(film: Film, source: Rendition) -> str | None:
    fitting = [r for r in film.renditions
               if r.codec == "h264" and r.height <= SMALL_SCREEN_HEIGHT]  # fmt: skip
    if not fitting:
        return None
    small = max(fitting, key=lambda r: r.height)
    return small.file.path if small.height < source.height else None


def _chapters(text: FilmText, duration_s: float) -> list[dict]:
    """The chapter list, and where each chapter lies on the seek bar (percent)."""
    found = []
    for start, end, title in text.chapters:
        start_s, end_s = start / 1000, min(end / 1000, duration_s)
        found.append({"start": f"{start_s:.3f}", "time": clock_text(start_s), "title": title,
                      "left": f"{100 * start_s / duration_s:.3f}",
                      "width": f"{100 * max(end_s - start_s, 0) / duration_s:.3f}"})  # fmt: skip
    return found


def _rendition_label(rendition: Rendition) -> str:
    """``720p``, or ``720p AV1`` for the AV1 rendition of that height."""
    return f"{rendition.height}p AV1" if rendition.codec == "av1" else rendition.name


def _film(film: Film, text: FilmText) -> dict:
    source = default_rendition(film)
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
        "chapters": _chapters(text, film.duration_s), "duration_s": f"{film.duration_s:.3f}",
        "small_source": _small(film, source),
        "link": "#t=" if film.name == "full" else f"{source.file.path}#t=",
    }  # fmt: skip


def _paragraphs(text: FilmText) -> list[dict]:
    """Each paragraph, marked where a new speaker's turn begins (the name is shown there)."""
    found, previous = [], object()
    for p in text.paragraphs:
        start = p.start_ms / 1000
        found.append({"start": f"{start:.3f}", "time": clock_text(start), "speaker": p.speaker,
                      "text": p.text, "turn": p.speaker != previous})  # fmt: skip
        previous = p.speaker
    return found


def _speaker_at(text: FilmText, seconds: float) -> str | None:
    ms = seconds * 1000
    spoken = [p for p in text.paragraphs if p.start_ms <= ms + 500]
    return spoken[-1].speaker if spoken else None


def _quote_alt(quote_text: str, speaker: str | None, time: str) -> str:
    """What the still shows, for those who cannot see it: who speaks, and what they say."""
    who = f"{speaker} pendant la Rencontre" if speaker else "La Rencontre"
    return f"{who}, à {time}, au moment où est dit : « {quote_text} »"


def _photo(photo: PublishedPhoto, number: int) -> dict:
    """A gallery photo: its web sizes (a manifest from before them: the file itself)."""
    sizes = photo.sizes or [ImageSize(width=photo.width or 320, height=photo.height or 180,
                                      file=photo.file)]  # fmt: skip
    return {"file": photo.file.path, "caption": photo.caption, "credit": photo.credit,
            "alt": photo.caption or f"Photo {number} de la Rencontre",
            "small": sizes[0].file.path, "large": sizes[-1].file.path,
            "srcset": ", ".join(f"{s.file.path} {s.width}w" for s in sizes),
            "width": sizes[0].width, "height": sizes[0].height,
            "size_text": size_text(photo.file.bytes)}  # fmt: skip


def session_context(
    manifest: SessionManifest,
    texts: dict[str, FilmText],
    people: list[Person],
    base_url: str | None = None,
) -> dict:
    films = {f.name: f for f in manifest.films}
    full = films["full"]
    sources = {name: default_rendition(film).file.path for name, film in films.items()}
    return {
        "root": "../",
        "og_image": f"{base_url.rstrip('/')}/{manifest.slug}/{manifest.poster}"
        if base_url and manifest.poster else None,
        "s": manifest,
        "date_text": french_date(manifest.date),
        "films": [_film(film, texts[film.name]) for film in manifest.films],
        "speakers": [{"name": p.name, "detail": p.detail}
                     for p in people],
        "quotes": [{"text": q.text, "still": q.still.path, "film": q.film,
                    "link": "#t=" if q.film == "full" else f"{sources[q.film]}#t=",
                    "start": f"{q.time_s:.3f}", "time": clock_text(q.time_s),
                    "alt": _quote_alt(q.text, q.speaker or _speaker_at(texts[q.film], q.time_s),
                                      clock_text(q.time_s))}
                   for q in manifest.quotes],
        "reviewed": full.captions_reviewed,
        "paragraphs": _paragraphs(texts["full"]),
        "highlights_paragraphs": _paragraphs(texts["highlights"]) if "highlights" in texts else [],
        "highlights_source": sources.get("highlights"),
        "ambiance": [{"file": s.file.path, "time": clock_text(s.time_s)}
                     for s in manifest.ambiance],
        "photos": [_photo(p, number) for number, p in enumerate(manifest.photos, start=1)],
        "slideshow": {"file": sl.file.path, "captions": sl.captions.path, "photos": sl.photos,
                      "duration_text": duration_text(sl.duration_s),
                      "poster": _photo(manifest.photos[0], 1)["large"] if manifest.photos else None}
        if (sl := manifest.slideshow) else None,
        "documents": [document_entry(d.title, d.file.path, d.file.bytes)
                      for d in manifest.documents],
        "links": manifest.links,
        "credits": [v for k, v in manifest.credits.items()],
        "restitution": {"page": r.page.path, "pdf": r.pdf.path, "pages": r.pages,
                        "size_text": size_text(r.pdf.bytes)}
        if (r := manifest.restitution) else None,
    }  # fmt: skip


def home_film(manifest: CycleFilmManifest, prefix: str) -> dict:
    """The cycle's synthesis film on the home page (its files under ``prefix``)."""
    film = manifest.film
    source = default_rendition(film)
    lighter = _lighter(film, source)
    small = _small(film, source)

    def at(path: str) -> str:
        return f"{prefix}/{path}"

    return {
        "title": manifest.title, "label": film.label, "date": manifest.date.isoformat(),
        "date_text": french_date(manifest.date), "duration_text": duration_text(film.duration_s),
        "count": len(manifest.sessions),
        "poster": at(film.poster.file.path) if film.poster else None,
        "source": at(source.file.path), "width": source.width, "height": source.height,
        "lighter_source": {**lighter, "file": at(lighter["file"])} if lighter else None,
        "small_source": at(small) if small else None,
        "captions": at(film.captions.path), "chapters_vtt": at(film.chapters.path),
        "srt": at(film.srt.path), "transcript_txt": at(film.transcript_txt.path),
        "renditions": [{"name": _rendition_label(r), "file": at(r.file.path),
                        "size_text": size_text(r.file.bytes)} for r in film.renditions],
    }  # fmt: skip
