"""The photos as a film on the session page: ``renders/slideshow.mp4`` (``capture
slideshow``) put into the site with a WebVTT track giving each photo's caption and credit
while it is shown (the text the film draws, for those who cannot see it). A slideshow made
from other photos than session.yaml's now is left out, with a warning: it would credit the
wrong people."""

from __future__ import annotations

import logging
from pathlib import Path

from pipeline.core.fsutil import atomic_link_or_copy, atomic_write_text
from pipeline.publish.manifest import PublishedFile, PublishedSlideshow
from pipeline.render.slideshow import (
    BAND,
    caption_text,
    photo_times,
    photos_digest,
    slideshow_path,
    slideshow_record,
)
from pipeline.session import LoadedSession
from pipeline.subtitles.cues import Cue
from pipeline.subtitles.formats import to_vtt

log = logging.getLogger("capture.publish")


def publish_slideshow(loaded: LoadedSession, folder: Path) -> PublishedSlideshow | None:
    """The slideshow in ``folder`` (the session's in the site), or None without one."""
    made, record = slideshow_path(loaded), slideshow_record(loaded)
    photos = loaded.session.photos
    if not made.is_file() or record is None or len(photos) < 2:
        return None
    if record.photos != photos_digest(loaded):
        log.warning("%s shows other photos than session.yaml's now: left off the page; run "
                    "`capture slideshow %s`", made, loaded.root)  # fmt: skip
        return None
    target = folder / "video" / "slideshow.mp4"
    atomic_link_or_copy(made, target)
    shown = photos[: record.count]
    cues = [Cue(round(start * 1000), round(end * 1000),
                (caption_text(photo) or f"Photo {number} sur {len(shown)}",),
                clear_above=BAND + 0.05)  # above the band the film draws
            for number, (photo, (start, end)) in enumerate(
                zip(shown, photo_times(len(shown)), strict=True), start=1)]  # fmt: skip
    captions = folder / "text" / "slideshow.fr.vtt"
    atomic_write_text(captions, to_vtt(cues, voices=False))
    return PublishedSlideshow(file=PublishedFile.of(folder, target),
                              captions=PublishedFile.of(folder, captions),
                              duration_s=record.duration_s, photos=record.count)  # fmt: skip
