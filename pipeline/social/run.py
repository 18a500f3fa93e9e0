"""``capture social SESSION``: for each quote of the cue lists marked ``social: true``, a
vertical and a square clip in ``renders/social/`` with a poster, listed in
``renders/social.json``. A clip whose inputs did not change is kept as it is."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from pipeline.core.digests import value_digest
from pipeline.core.errors import CaptureError, ConfigError, Problem
from pipeline.core.fsutil import atomic_write_text
from pipeline.core.progress import ProgressReporter
from pipeline.core.tempfiles import filter_safe_tempdir
from pipeline.render import images
from pipeline.session import FILMS, LoadedSession
from pipeline.session.artifacts.transcript import load_transcript
from pipeline.session.cuelist import load_cue_list
from pipeline.social.clip import LOGO_HEIGHT, SOCIAL_LOUDNESS, Drawn, render_clip
from pipeline.social.footage import ClipSource, clip_source
from pipeline.social.framing import Box, crop_for, faces_in_source
from pipeline.social.layout import FORMATS, ass_script
from pipeline.social.model import Rect, SocialClip, SocialReport, read_social_report
from pipeline.social.span import quote_span
from pipeline.subtitles.cues import Cue
from pipeline.subtitles.master import master_cues
from pipeline.subtitles.segment import transcript_words

SOCIAL_CODE = "social-2"
"""Bump when what a clip is made of changes, so existing clips are made again."""
POSTER_WIDTH = 1080


@dataclass(frozen=True)
class SocialQuote:
    text: str
    at_ms: int
    speaker: str | None
    cue_file: Path
    line: int | None


def social_quotes(loaded: LoadedSession) -> list[SocialQuote]:
    """The quotes of the cue lists marked ``social: true``, once each, in session order."""
    found: dict[tuple[int, str], SocialQuote] = {}
    for name in FILMS:
        cue_list = load_cue_list(loaded, name)
        for index, quote in enumerate(cue_list.quotes if cue_list else []):
            if quote.social and (quote.at, quote.text) not in found:
                line = cue_list.line_of(("quotes", index)) if cue_list else None
                found[(quote.at, quote.text)] = SocialQuote(
                    quote.text, quote.at, quote.speaker, loaded.folder.cue_list(name), line
                )
    return [found[key] for key in sorted(found)]


def report_path(loaded: LoadedSession) -> Path:
    return loaded.folder.renders / "social.json"


def _rect(box: Box) -> Rect:
    return Rect(x=box.x, y=box.y, width=box.width, height=box.height)


def _clip_cues(cues: list[Cue], start_ms: int, end_ms: int) -> list[Cue]:
    """The master cues heard in the clip, on the clip's clock."""
    inside = [c for c in cues if c.end_ms > start_ms and c.start_ms < end_ms]
    return [Cue(max(0, c.start_ms - start_ms), min(end_ms, c.end_ms) - start_ms, c.lines)
            for c in inside]  # fmt: skip


def _speaker(quote: SocialQuote, cues: list[Cue]) -> str | None:
    if quote.speaker:
        return quote.speaker
    said = [c.speaker for c in cues if c.speaker]
    return max(set(said), key=said.count) if said else None


def _source_key(source: ClipSource) -> list:
    return [(c.path.name, c.path.stat().st_size, round(c.start_s, 3), round(c.duration_s, 3))
            for c in (*source.video, *source.audio)]  # fmt: skip


@dataclass(frozen=True)
class _Context:
    loaded: LoadedSession
    cues: list[Cue]
    logo: Path | None
    kept: dict[str, SocialClip]
    folder: Path


def make_social_clips(
    loaded: LoadedSession, progress: ProgressReporter | None = None
) -> SocialReport:
    """Every social quote's clips, made or kept; the report written last, then clips no
    quote asks for any more removed."""
    quotes = social_quotes(loaded)
    transcript = load_transcript(loaded.folder)
    if quotes and transcript is None:
        raise CaptureError(f"no transcript in {loaded.root}: run `capture transcribe` first")
    words = transcript_words(transcript) if transcript else []
    spans, problems = [], []
    for quote in quotes:
        try:
            spans.append(quote_span(quote.text, quote.at_ms, words))
        except ValueError as error:
            problems.append(Problem(quote.cue_file, quote.line, "quotes", str(error)))
    if problems:
        raise ConfigError(problems)
    old = read_social_report(report_path(loaded))
    logo = loaded.resolve(loaded.session.logos[0]) if loaded.session.logos else None
    context = _Context(
        loaded, master_cues(loaded, transcript)[0] if transcript else [],
        logo if logo and logo.is_file() else None,
        {c.digest: c for c in (old.clips if old else [])}, loaded.folder.renders / "social",
    )  # fmt: skip
    context.folder.mkdir(parents=True, exist_ok=True)
    clips = []
    for quote, span in zip(quotes, spans, strict=True):
        clips += _quote_clips(context, quote, span)
    report = SocialReport(clips=clips)
    atomic_write_text(report_path(loaded), report.model_dump_json(indent=2) + "\n")
    listed = {f for c in clips for f in (c.file, c.poster)}
    ours = context.folder.resolve()
    for stale in {f for c in (old.clips if old else []) for f in (c.file, c.poster)} - listed:
        path = (loaded.root / stale).resolve()
        if path.is_relative_to(ours):  # only what capture made and listed (never a report
            path.unlink(missing_ok=True)  # edited by hand to point elsewhere)
    return report


def _speaker_detail(loaded: LoadedSession, speaker: str | None) -> str | None:
    people = [loaded.session.facilitator, *loaded.session.speakers]
    person = next((p for p in people if p is not None and p.name == speaker), None)
    return (person.detail or None) if person else None


def _quote_clips(
    context: _Context, quote: SocialQuote, span: tuple[int, int, bool]
) -> list[SocialClip]:
    """The quote in every format: made, or kept when nothing it is made of changed."""
    loaded, (start, end, found) = context.loaded, span
    source = clip_source(loaded, start, end)
    heard = _clip_cues(context.cues, start, end)
    speaker = _speaker(quote, [c for c in context.cues if c.end_ms > start and c.start_ms < end])
    detail = _speaker_detail(loaded, speaker)
    logo = context.logo
    logo_digest = hashlib.sha256(logo.read_bytes()).hexdigest() if logo else None
    clips = []
    with filter_safe_tempdir("capture-social-") as work:
        faces = faces_in_source(source, work)
        for fmt in FORMATS:
            crop = crop_for(source, fmt.aspect, faces)
            logo_height = round(LOGO_HEIGHT * fmt.height) if logo else 0
            said = [(c.start_ms, c.end_ms, c.lines) for c in heard]
            digest = value_digest([SOCIAL_CODE, quote.text, span, fmt.name, crop, said, speaker,
                             detail, _source_key(source), logo_digest])  # fmt: skip
            target = context.folder / f"{_clip_name(quote)}-{fmt.name}.mp4"
            poster = target.with_suffix(".jpg")
            previous = context.kept.get(digest)
            if (previous and previous.file == _relative(loaded, target) and poster.is_file()
                    and target.is_file() and target.stat().st_size == previous.bytes):  # fmt: skip
                clips.append(previous)
                continue
            ass = work / f"{fmt.name}.ass"
            ass.write_text(ass_script(fmt, heard, speaker, detail, end - start, logo_height),
                           encoding="utf-8")  # fmt: skip
            drawn = Drawn(ass, logo, logo_height)
            measured = render_clip(source, crop, fmt, drawn, (end - start) / 1000, target)
            _poster(target, (end - start) / 1000, poster, work)
            clips.append(SocialClip(
                quote=quote.text, session_start_ms=start, session_end_ms=end, format=fmt.name,
                width=fmt.width, height=fmt.height, duration_s=(end - start) / 1000,
                file=_relative(loaded, target), bytes=target.stat().st_size,
                poster=_relative(loaded, poster), camera=source.camera, crop=_rect(crop),
                faces=[_rect(f) for f in faces], integrated_lufs=measured.integrated_lufs,
                true_peak_dbtp=measured.true_peak_dbtp, matched=found, digest=digest,
            ))  # fmt: skip
    return clips


def _clip_name(quote: SocialQuote) -> str:
    """The same quote keeps its file name whatever is added before it: ``quote-<digest>``."""
    return "quote-" + value_digest([quote.at_ms, quote.text])[:10]


def _relative(loaded: LoadedSession, path: Path) -> str:
    return path.relative_to(loaded.root).as_posix()


def _poster(clip: Path, duration_s: float, target: Path, work: Path) -> None:
    """The clip's sharpest frame with a face (else its middle)."""
    found = images.candidates(clip, [(0.0, duration_s)], work, count=8)
    best = images.choose_poster(found)
    images.extract_still(clip, best.time_s if best else duration_s / 2, target, width=POSTER_WIDTH)


__all__ = ["SOCIAL_LOUDNESS", "make_social_clips", "social_quotes", "report_path"]
