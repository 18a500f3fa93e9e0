"""The photographer's photos as a short film (``capture slideshow``, "the highlights of the
day in pictures"): each photo held a few seconds with a slow, steady zoom on its centre (a
pan could leave a face out of the frame), crossfaded into the next, faded in from and out to
black, with its caption and credit in a band at the bottom (drawn over the moving picture,
so it stays put). A portrait photo is shown whole over a blurred fill of itself, never
cropped to the frame. At most ``MAX_PHOTOS`` photos, in session.yaml's order: a short film,
and an ffmpeg graph whose memory grows with each photo (about 20 MB).

Each photo is laid out once at a little more than the frame's size (Pillow), so the moving
zoom only ever scales down (sharp) from a small image; the film is one ffmpeg graph, H.264
with a silent AAC track (players expect one), written to a temporary name and renamed."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps
from pydantic import BaseModel

from pipeline.core.digests import value_digest
from pipeline.core.errors import CaptureError
from pipeline.core.fsutil import atomic_write_text
from pipeline.core.presets import AUDIO_CODEC, MASTER
from pipeline.core.progress import ProgressReporter
from pipeline.core.runner import FilterGraph, OutputFile, run_ffmpeg
from pipeline.core.tempfiles import filter_safe_tempdir
from pipeline.ingest.offload import hash_file
from pipeline.session import LoadedSession
from pipeline.session.folder import SLIDESHOW_FILE, SLIDESHOW_RECORD
from pipeline.session.model import Photo
from pipeline.timeline.text_fit import FONT

WIDTH, HEIGHT = 1280, 720
FPS = 25
HOLD_S = 4.0
"""Each photo on screen alone (the crossfades come on top)."""
FADE_S = 0.8
ZOOM = 1.06
"""How much closer the last frame of a photo is than its first."""
BAND = 0.11
"""The caption band's height, as a fraction of the frame's."""
SMALLEST_TEXT = 22
"""Pixels: a caption that would need smaller type is shortened (the page's caption track
has it whole)."""
MAX_PHOTOS = 30
PHOTO_TYPES = ("JPEG", "PNG", "WEBP")


class SlideshowRecord(BaseModel):
    """``renders/slideshow.json``, written after the film: which photos it shows."""

    photos: str
    """``photos_digest`` when it was made."""
    count: int
    duration_s: float


def photos_digest(loaded: LoadedSession) -> str:
    """session.yaml's photos in their order: files, captions and credits."""
    found = []
    for photo in loaded.session.photos:
        path = loaded.resolve(photo.path)
        content = hash_file(path, "xxh128") if path.is_file() else None
        found.append((photo.path, photo.caption, photo.credit, content))
    return value_digest(found)


def slideshow_record(loaded: LoadedSession) -> SlideshowRecord | None:
    path = loaded.folder.renders / SLIDESHOW_RECORD
    try:
        return SlideshowRecord.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def photo_times(count: int) -> list[tuple[float, float]]:
    """When each photo's caption is on: from the middle of the crossfade into it to the
    middle of the one out of it (the first from the start, the last to the end)."""
    half = FADE_S / 2
    return [(i * HOLD_S + (half if i else 0.0),
             (i + 1) * HOLD_S + (half if i < count - 1 else FADE_S))
            for i in range(count)]  # fmt: skip


def caption_text(photo: Photo) -> str:
    """Caption and credit on one line (line breaks in session.yaml become spaces)."""
    parts = [" ".join((photo.caption or "").split()),
             f"© {' '.join(photo.credit.split())}" if photo.credit else ""]  # fmt: skip
    return " · ".join(p for p in parts if p)


@dataclass(frozen=True)
class SlideshowResult:
    output: Path
    photos: int
    duration_s: float


def slideshow_path(loaded: LoadedSession) -> Path:
    return loaded.folder.renders / SLIDESHOW_FILE


def slideshow_duration(count: int) -> float:
    return count * HOLD_S + FADE_S if count else 0.0


def lay_out(source: Path, target: Path) -> None:
    """The photo at ``ZOOM`` times the frame's size: whole, over a blurred fill of itself."""
    width, height = round(WIDTH * ZOOM) // 2 * 2, round(HEIGHT * ZOOM) // 2 * 2
    with Image.open(source, formats=PHOTO_TYPES) as opened:
        opened.draft("RGB", (width * 2, height * 2))  # a JPEG decoded at a fraction: memory
        image = ImageOps.exif_transpose(opened)
        if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
            ground = Image.new("RGBA", image.size, (40, 40, 40, 255))
            image = Image.alpha_composite(ground, image.convert("RGBA"))
        image = image.convert("RGB")
    fill = ImageOps.fit(image, (width // 8, height // 8)).filter(ImageFilter.GaussianBlur(4))
    frame = fill.resize((width, height), Image.Resampling.BILINEAR)
    whole = ImageOps.contain(image, (width, height), Image.Resampling.LANCZOS)
    frame.paste(whole, ((width - whole.width) // 2, (height - whole.height) // 2))
    frame.save(target, "PNG")


def _fitted(
    draw: ImageDraw.ImageDraw, text: str, size: int, room: float
) -> tuple[str, ImageFont.FreeTypeFont]:
    """The text and a font that fit ``room`` pixels: smaller type down to SMALLEST_TEXT,
    then the text shortened with an ellipsis."""
    font = ImageFont.truetype(FONT, size)
    while draw.textlength(text, font=font) > room and size > SMALLEST_TEXT:
        size -= 1
        font = ImageFont.truetype(FONT, size)
    while draw.textlength(text, font=font) > room and len(text) > 1:
        text = text[:-2].rstrip() + "…"
    return text, font


def draw_band(text: str, target: Path) -> None:
    """The caption band, on a transparent frame, drawn over the moving picture."""
    frame = Image.new("RGBA", (WIDTH, HEIGHT), (0, 0, 0, 0))
    draw = ImageDraw.Draw(frame)
    band = round(HEIGHT * BAND)
    bottom, left = HEIGHT - round(HEIGHT * 0.04), round(WIDTH * 0.04)
    text, font = _fitted(draw, text, round(band * 0.36), WIDTH - 2 * left - band)
    pad = font.size // 2
    draw.rectangle((left - pad, bottom - band, left + draw.textlength(text, font=font) + pad,
                    bottom), fill=(0, 0, 0, 170))  # fmt: skip
    draw.text((left, bottom - band / 2), text, font=font, fill="white", anchor="lm")
    frame.save(target, "PNG")


def _graph(bands: list[int | None]) -> str:
    """Each laid-out photo zoomed in steadily on its centre and cropped to the frame, its
    band over it, the photos crossfaded, the whole faded in and out. ``bands``: each
    photo's band input, if it has a caption."""
    length, grow = HOLD_S + FADE_S, ZOOM - 1
    chains = []
    for i, band in enumerate(bands):
        # the crop follows the zoom's own growth (its input size is fixed when it starts)
        zoomed = (f"[{i}:v]scale=w='{WIDTH}*(1+{grow:.3f}*t/{length})':h=-2:eval=frame,"
                  f"crop={WIDTH}:{HEIGHT}:x='{WIDTH}*{grow:.3f}*t/{length}/2':"
                  f"y='{HEIGHT}*{grow:.3f}*t/{length}/2',setsar=1,fps={FPS}")  # fmt: skip
        over = f"[z{i}];[z{i}][{band}:v]overlay=0:0," if band is not None else ","
        chains.append(f"{zoomed}{over}format=yuv420p[p{i}]")
    last = "p0"
    for i in range(1, len(bands)):
        chains.append(f"[{last}][p{i}]xfade=transition=fade:duration={FADE_S}:"
                      f"offset={i * HOLD_S}[x{i}]")  # fmt: skip
        last = f"x{i}"
    total = slideshow_duration(len(bands))
    chains.append(f"[{last}]fade=t=in:d={FADE_S},fade=t=out:st={total - FADE_S}:d={FADE_S}[v]")
    return ";".join(chains)


def make_slideshow(
    loaded: LoadedSession, progress: ProgressReporter | None = None
) -> SlideshowResult:
    """``renders/slideshow.mp4`` from session.yaml's photos, in their order (the first
    ``MAX_PHOTOS``)."""
    photos = loaded.session.photos[:MAX_PHOTOS]
    if len(photos) < 2:
        raise CaptureError(f"{loaded.folder.session_file} lists {len(photos)} photo(s): a "
                           "slideshow needs two or more")  # fmt: skip
    sources = [loaded.resolve(photo.path) for photo in photos]
    missing = [photo.path for photo, path in zip(photos, sources, strict=True)
               if not path.is_file()]  # fmt: skip
    if missing:
        raise CaptureError(f"{', '.join(missing)} not in the session folder "
                           f"({loaded.folder.session_file})")  # fmt: skip
    shown = photos_digest(loaded)  # before the work: a photo replaced meanwhile is redone
    output = slideshow_path(loaded)
    total = slideshow_duration(len(photos))
    with filter_safe_tempdir("capture-slideshow-") as work:
        inputs: list[str | Path] = []
        texts: list[str] = []
        for number, (photo, source) in enumerate(zip(photos, sources, strict=True)):
            laid = work / f"photo-{number:03d}.png"
            try:
                lay_out(source, laid)
            except (OSError, ValueError, Image.DecompressionBombError) as error:
                raise CaptureError(f"{photo.path} cannot be read as a photo: {error}") from None
            inputs += ["-framerate", str(FPS), "-loop", "1", "-t", str(HOLD_S + FADE_S),
                       "-i", laid]  # fmt: skip
            texts.append(caption_text(photo))
        bands: list[int | None] = []  # each photo's band: its input's number
        next_input = len(photos)
        for number, text in enumerate(texts):
            if not text:
                bands.append(None)
                continue
            drawn = work / f"band-{number:03d}.png"
            draw_band(text, drawn)
            bands.append(next_input)
            next_input += 1
            inputs += ["-loop", "1", "-t", str(HOLD_S + FADE_S), "-i", drawn]
        silence = next_input
        args: list[str | Path | FilterGraph | OutputFile] = [
            *inputs, "-f", "lavfi", "-t", f"{total}", "-i", "anullsrc=r=48000:cl=stereo",
            FilterGraph(_graph(bands)), "-map", "[v]", "-map",
            f"{silence}:a", "-c:v", MASTER.codec, "-pix_fmt", "yuv420p", "-r", str(FPS),
            *MASTER.args(), "-c:a", AUDIO_CODEC, "-b:a", "64k", "-t", f"{total}",
            "-movflags", "+faststart", OutputFile(output),
        ]  # fmt: skip
        output.parent.mkdir(parents=True, exist_ok=True)
        (loaded.folder.renders / SLIDESHOW_RECORD).unlink(missing_ok=True)
        run_ffmpeg(args, progress=progress, label="slideshow", duration=total)
    record = SlideshowRecord(photos=shown, count=len(photos), duration_s=total)
    atomic_write_text(loaded.folder.renders / SLIDESHOW_RECORD, record.model_dump_json() + "\n")
    return SlideshowResult(output, len(photos), total)
