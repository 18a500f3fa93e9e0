"""Social clips and the printed restitution.

* A 12-second 9:16 social clip from a 1080p camera file (a face right of centre, speech-like
  sound), as ``capture social`` makes it (loudness measured, then the clip encoded with its
  captions, name and logo, then its loudness measured), against one bare ffmpeg command
  drawing and encoding the same picture and sound without the loudness passes:
  ``over_one_bare_encode`` is what the -14 LUFS guarantee and the checks cost.
* The restitution of a long Rencontre (12 quotes with 1280-pixel stills, 12 photographer's
  photos of 6000×4000): the seconds WeasyPrint takes to lay it out, its pages and megabytes
  (photos scaled to 300 dpi at their printed size, not embedded whole).
"""

from __future__ import annotations

import subprocess
import tempfile
import time
from pathlib import Path

from pipeline.publish.restitution.content import Moment, PrintedImage, PrintedQuote, Restitution
from pipeline.publish.restitution.document import write_pdf
from pipeline.samples.face import write_face
from pipeline.social.clip import Drawn, render_clip
from pipeline.social.footage import ClipSource
from pipeline.social.framing import Box, crop_for
from pipeline.social.layout import VERTICAL, ass_script
from pipeline.subtitles.cues import Cue
from pipeline.timeline.model import SourceCut

CACHE = Path(__file__).resolve().parent / ".cache" / "social"
SECONDS = 20
CLIP = (2.0, 12.0)


def _camera() -> Path:
    path = CACHE / f"camera-1080p-{SECONDS}s.mp4"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        face = write_face(CACHE / "face.png", 648, 864)
        subprocess.run(
            ["ffmpeg", "-v", "error", "-y",
             "-f", "lavfi", "-i", f"testsrc2=size=1920x1080:rate=25:duration={SECONDS}",
             "-loop", "1", "-framerate", "25", "-i", str(face),
             "-f", "lavfi", "-i", f"anoisesrc=color=pink:amplitude=0.05:duration={SECONDS}",
             "-filter_complex", "[0:v][1:v]overlay=x=W*0.68-w/2:y=(H-h)/2:shortest=1[v]",
             "-map", "[v]", "-map", "2:a", "-t", str(SECONDS), "-c:v", "libx264",
             "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p", "-c:a", "aac",
             str(path)],
            check=True,
        )  # fmt: skip
    return path


def _timed(action) -> float:
    started = time.monotonic()
    action()
    return time.monotonic() - started


def _social(folder: Path) -> dict:
    camera = _camera()
    start, length = CLIP
    cut = SourceCut(camera, start, length)
    source = ClipSource("B", (cut,), (cut,), 1920, 1080, 25.0)
    crop = crop_for(source, VERTICAL.aspect, [Box(1240, 330, 300, 300)])
    cues = [Cue(500, 4500, ("Nous cultivons quatre hectares,",)),
            Cue(4700, 9000, ("tout part à moins de trente kilomètres.",))]  # fmt: skip
    ass = folder / "clip.ass"
    ass.write_text(ass_script(VERTICAL, cues, "Jacques Dubois", "maraîcher", 12_000, 0), "utf-8")
    out = folder / "clip.mp4"
    ours = _timed(lambda: render_clip(source, crop, VERTICAL, Drawn(ass, None, 0), length, out))
    bare_out = folder / "bare.mp4"
    bare = _timed(lambda: subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-ss", str(start), "-t", str(length), "-i", str(camera),
         "-vf", f"crop={crop.width}:{crop.height}:{crop.x}:{crop.y},scale=1080:1920:"
                f"flags=lanczos,setsar=1,subtitles=filename={ass},format=yuv420p",
         "-c:v", "libx264", "-preset", "medium", "-crf", "20", "-c:a", "aac", "-b:a", "160k",
         "-ar", "48000", "-ac", "2", "-movflags", "+faststart", str(bare_out)],
        check=True))  # fmt: skip
    return {
        "clip_seconds": length,
        "capture_seconds": round(ours, 2),
        "bare_one_encode_seconds": round(bare, 2),
        "over_one_bare_encode": round(ours / bare, 3),
        "clip_mb": round(out.stat().st_size / 1e6, 2),
    }


def _restitution(folder: Path) -> dict:
    site = folder / "site" / "s"
    (site / "images").mkdir(parents=True)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=size=1280x720", "-frames:v", "1", str(site / "images" / "still.jpg")],
                   check=True)  # fmt: skip
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=size=6000x4000", "-frames:v", "1", "-q:v", "2",
                    str(site / "images" / "photo.jpg")], check=True)  # fmt: skip
    quotes = [PrintedQuote(text=f"Une phrase dite pendant la Rencontre, la citation {i}.",
                           speaker="Jacques Dubois", detail="maraîcher",
                           still="images/still.jpg", still_alt="Jacques Dubois",
                           time=f"{i}:00", film_label="Version intégrale",
                           moment=Moment(slug="s", fragment=f"#t={i}:00"))
              for i in range(12)]  # fmt: skip
    content = Restitution(
        slug="s", title="Manger local en 2040", kind="rencontre", date_text="12 mars 2026",
        start_time="18:30", place="Hôtel de la Métropole", theme=None,
        synthesis="# Synthèse\n\n" + "Un paragraphe de la synthèse. " * 80, quotes=quotes,
        people=[], photos=[PrintedImage(file="images/photo.jpg", caption=f"Photo {i}")
                           for i in range(12)],
        ambiance=[], films=[], links=[], credits=["Métropole"],
        page=Moment(slug="s", fragment=""), images="0",
    )  # fmt: skip
    target = site / "restitution.pdf"
    started = time.monotonic()
    printed = write_pdf("restitution_print.html.j2", target, {"s": site}, title="R",
                        cycle_title="Les Rencontres", contents=[],
                        restitutions=[(content, "Rencontre")],
                        base_url="https://rencontres.example.org/")  # fmt: skip
    return {
        "restitution_seconds": round(time.monotonic() - started, 2),
        "restitution_pages": printed.pages,
        "restitution_mb": round(printed.bytes / 1e6, 2),
        "photo_source_mb": round((site / "images" / "photo.jpg").stat().st_size / 1e6, 2),
    }


def run() -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-social-") as work:
        folder = Path(work)
        return {**_social(folder), **_restitution(folder)}
