"""The opening title and closing credits as filtergraph pieces: a plain ground, centred
lines drawn from text files (``expansion=none``: session.yaml text is never read as
drawtext syntax), the session's logos in a row at the bottom, and silence.

Long lines are wrapped here, since drawtext does not wrap; each line is centred on its own.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path

from pipeline.render.overlays import BOLD_FONT, FONT
from pipeline.runner import Arg
from pipeline.timeline.model import TimelineCard

GROUND = "0x14213d"
BODY_SIZE = 0.042
"""Body text height as a share of the frame height."""
LOGO_HEIGHT = 0.11
FADE_S = 0.4
GLYPH_WIDTH = 0.56
"""A DejaVu Sans glyph's mean advance, as a share of the font size (to wrap lines)."""


@dataclass(frozen=True)
class CardGraph:
    inputs: list[Arg]
    chains: list[str]
    next_index: int


def _wrapped(card: TimelineCard, width: int, height: int) -> list[tuple[str, int, bool]]:
    """(text, font size, bold) per drawn line, shrunk until every line fits the title-safe
    area and the block fits above the logos."""
    scale = 1.0
    while True:
        rows = []
        for line in card.lines:
            size = max(8, round(height * BODY_SIZE * line.size * scale))
            room = max(8, int(width * 0.8 / (size * GLYPH_WIDTH)))
            text = " ".join(line.text.split())  # no newline reaches the text file
            rows += [(part, size, line.bold) for part in textwrap.wrap(text, room) or [""]]
        block = sum(round(size * 1.45) for _, size, _ in rows)
        if block <= height * (0.62 if card.logos else 0.8) or scale < 0.4:
            return rows
        scale *= 0.9


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
    rows = _wrapped(card, width, height)
    block = sum(round(size * 1.45) for _, size, _ in rows)
    top = round((height * (0.85 if card.logos else 1.0) - block) / 2)
    draw = []
    for number, (text, size, bold) in enumerate(rows):
        path = folder / f"{label}-{number}.txt"
        path.write_text(text, encoding="utf-8")
        draw.append(
            f"drawtext=fontfile={BOLD_FONT if bold else FONT}:textfile={path}:expansion=none:"
            f"fontsize={size}:fontcolor=white:x=(w-tw)/2:y={top}"
        )
        top += round(size * 1.45)
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
