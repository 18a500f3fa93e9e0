"""The demo's vox pop: a participant's impression recorded at the cocktail, off the session
clock, on a camera of its own (a drawn face on a plain wall, a synthetic voice), which the
sample's highlights cut in by file time (``docs/editing.md``)."""

from __future__ import annotations

from pathlib import Path

from pipeline.core.probe import probe
from pipeline.core.runner import OutputFile, run_ffmpeg, run_tool
from pipeline.core.tools import ESPEAK
from pipeline.samples.face import write_face
from pipeline.session.cuelist import Clip

VOX_POP = "extras/vox-pop-cocktail.mp4"
SAID = ("C'était passionnant. J'ai appris qu'on peut manger local toute l'année, "
        "même en ville, avec les marchés et les paniers.")  # fmt: skip
VOICE = ("fr+m1", 45, 120)
"""espeak-ng voice, pitch and words per minute: a participant, not one of the speakers (of
four voices tried, the one Whisper base hears best)."""
LEAD_S, TAIL_S = 1.0, 1.0


def write_vox_pop(session: Path, workdir: Path, width: int, height: int, fps: int) -> Clip:
    """The recording in the session folder, and the highlights' clip that cuts it in."""
    voice, pitch, speed = VOICE
    text = workdir / "vox-pop.txt"
    text.write_text(SAID, encoding="utf-8")
    speech = workdir / "vox-pop.wav"
    run_tool(ESPEAK, ["-v", voice, "-p", str(pitch), "-s", str(speed), "-f", text,
                      "-w", OutputFile(speech)])  # fmt: skip
    length = LEAD_S + (probe(speech, check_vfr=False).duration or 0.0) + TAIL_S
    face = write_face(workdir / "vox-pop-face.png", height * 3 // 5, height * 4 // 5)
    target = session / VOX_POP
    target.parent.mkdir(parents=True, exist_ok=True)
    run_ffmpeg(
        ["-f", "lavfi", "-i", f"color=c=0x3a5a40:size={width}x{height}:rate={fps}",
         "-loop", "1", "-framerate", str(fps), "-i", face, "-i", speech,
         "-filter_complex",
         f"[0:v][1:v]overlay=x=(W-w)/2+{width // 80}*sin(t):y=(H-h)/2,format=yuv420p[v];"
         f"[2:a]aresample=48000,adelay={int(LEAD_S * 1000)}:all=1,apad=pad_dur={TAIL_S}[a]",
         "-map", "[v]", "-map", "[a]", "-t", f"{length:.3f}", "-c:v", "libx264",
         "-preset", "veryfast", "-crf", "23", "-g", str(2 * fps), "-c:a", "aac", "-b:a", "128k",
         "-ac", "2",
         OutputFile(target)],
        duration=length, label="recording the sample's vox pop",
    )  # fmt: skip
    return Clip.model_validate({"file": VOX_POP, "in": round(LEAD_S - 0.5, 3),
                                "out": round(length - TAIL_S + 0.5, 3)})  # fmt: skip
