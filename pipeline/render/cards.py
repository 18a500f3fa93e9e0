"""The opening title and closing credits as filtergraph pieces: a plain ground, the lines
laid out by ``text_layout`` (wrapped and shrunk to fit, or rolling credits) drawn from text
files (``expansion=none``: session.yaml text is never read as drawtext syntax), the
session's logos in a row at the bottom, and silence.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pipeline.core.runner import Arg
from pipeline.timeline.model import TimelineCard
from pipeline.timeline.text_fit import BOLD_FONT, FONT, CardLayout, card_layout

GROUND = "0x14213d"
LOGO_HEIGHT = 0.11
FADE_S = 0.4


@dataclass(frozen=True)
class CardGraph:
    inputs: list[Arg]
    chains: list[str]
    next_index: int


def _text_filters(layout: CardLayout, folder: Path, label: str) -> list[str]:
    """One drawtext per line; rolling lines move up together, then the ground is drawn again
    below the band where the logos sit."""
    draw = []
    for number, line in enumerate(layout.lines):
        path = folder / f"{label}-{number}.txt"
        path.write_text(line.text, encoding="utf-8")
        y = str(line.top)
        if layout.rolls:
            moving = layout.roll_until_s - layout.roll_from_s
            y = (f"'{line.top}-{layout.roll_px_per_s:.4f}*"
                 f"clip(t-{layout.roll_from_s:.3f},0,{moving:.3f})'")  # fmt: skip
        draw.append(
            f"drawtext=fontfile={BOLD_FONT if line.bold else FONT}:textfile={path}:"
            f"expansion=none:fontsize={line.size}:fontcolor=white:x=(w-tw)/2:y={y}"
        )
    if layout.band_top is not None:
        draw.append(f"drawbox=x=0:y={layout.band_top}:w=iw:h=ih:color={GROUND}:t=fill")
    return draw


def card_graph(
    card: TimelineCard, index: int, width: int, height: int, fps: int, folder: Path, label: str
) -> CardGraph:
    """Inputs and chains producing ``[{label}v]`` and ``[{label}a]``, ``card.frames`` long;
    ``index`` is the card's first input number; text files go into ``folder`` (a
    filter-safe temporary folder)."""
    seconds = card.frames / fps
    inputs: list[Arg] = [
        "-f", "lavfi", "-i", f"color=c={GROUND}:s={width}x{height}:r={fps}:d={seconds:.6f}",
        "-f", "lavfi", "-i", f"anullsrc=r=48000:cl=stereo:d={seconds:.6f}",
    ]  # fmt: skip
    ground, silence = index, index + 1
    index += 2
    draw = _text_filters(card_layout(card, width, height, fps), folder, label)
    chains = [f"[{ground}:v]format=yuv420p,{','.join(draw) or 'null'}[{label}text]"]
    picture = f"[{label}text]"
    if card.logos:
        logo_height = round(height * LOGO_HEIGHT)
        gap = round(logo_height * 0.4)
        scaled = []
        for number, logo in enumerate(card.logos):
            # image2 forced: a file in the session folder is read as a picture, nothing else
            inputs += ["-f", "image2", "-loop", "1", "-framerate", str(fps),
                       "-t", f"{seconds:.6f}", "-i", logo]  # fmt: skip
            chains.append(
                f"[{index}:v]scale=-2:{logo_height},format=rgba,"
                f"pad=iw+{gap}:ih:{gap // 2}:0:color=black@0[{label}logo{number}]"
            )
            scaled.append(f"[{label}logo{number}]")
            index += 1
        stacked = scaled[0]
        if len(scaled) > 1:
            chains.append(f"{''.join(scaled)}hstack=inputs={len(scaled)}[{label}stack]")
            stacked = f"[{label}stack]"
        # many or wide logos: the row is narrowed to the title-safe width
        chains.append(f"{stacked}scale=w='min(iw,{round(width * 0.9)})':h=-2[{label}logos]")
        row = f"[{label}logos]"
        chains.append(
            f"{picture}{row}overlay=x=(W-w)/2:y=H-h-{round(height * 0.08)}:"
            f"eof_action=repeat[{label}logo_on]"
        )
        picture = f"[{label}logo_on]"
    fade_out = max(0.0, seconds - FADE_S)
    chains.append(
        f"{picture}fade=t=in:d={FADE_S}:color=black,fade=t=out:st={fade_out:.6f}:d={FADE_S},"
        f"setsar=1,format=yuv420p,trim=end_frame={card.frames},setpts=PTS-STARTPTS,settb=1/{fps}[{label}v]"
    )
    chains.append(
        f"[{silence}:a]aformat=sample_fmts=fltp:channel_layouts=stereo,"
        f"atrim=end_sample={round(seconds * 48000)},asetpts=PTS-STARTPTS[{label}a]"
    )
    return CardGraph(inputs, chains, index)
