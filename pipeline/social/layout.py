"""The two formats and what is drawn on them: captions in large type and the speaker's name
inside each platform's safe zone (the part of the frame no button, caption bar or profile
overlay covers), written as an ASS script for libass with the frame as its canvas."""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.social.framing import Box
from pipeline.subtitles.burn import ass_plain, ass_time
from pipeline.subtitles.cues import Cue


@dataclass(frozen=True)
class SafeZone:
    """Margins as fractions of the frame: what the platform's interface may cover."""

    top: float
    bottom: float
    left: float
    right: float

    def box(self, width: int, height: int) -> Box:
        x, y = round(self.left * width), round(self.top * height)
        return Box(
            x, y, width - x - round(self.right * width), height - y - round(self.bottom * height)
        )


@dataclass(frozen=True)
class SocialFormat:
    name: str
    width: int
    height: int
    safe: SafeZone
    font_px: int
    name_px: int

    @property
    def aspect(self) -> float:
        return self.width / self.height

    def inner_box(self) -> Box:
        """The safe zone less a little padding: where text and logo are laid (an outline or
        the encoder's ringing never reaches the zone's edge)."""
        safe = self.safe.box(self.width, self.height)
        pad = round(INNER_PADDING * self.width)
        return Box(safe.x + pad, safe.y + pad, safe.width - 2 * pad, safe.height - 2 * pad)


INNER_PADDING = 0.015


VERTICAL = SocialFormat("9x16", 1080, 1920, SafeZone(top=0.14, bottom=0.35, left=0.06, right=0.06),
                        font_px=64, name_px=46)  # fmt: skip
"""Reels, Shorts, TikTok: the top 14 % (account, close button) and bottom 35 % (caption,
buttons) are covered; 6 % at each side (Meta's guidance, the strictest of the three)."""
SQUARE = SocialFormat("1x1", 1080, 1080, SafeZone(top=0.06, bottom=0.12, left=0.06, right=0.06),
                      font_px=56, name_px=40)  # fmt: skip
"""A feed post: a thin margin all round, a little more at the bottom (some players' bar)."""
FORMATS = (VERTICAL, SQUARE)


def ass_script(fmt: SocialFormat, cues: list[Cue], speaker: str | None, detail: str | None,
               duration_ms: int, logo_height: int) -> str:  # fmt: skip
    """Captions at the bottom of the safe zone (libass wraps them to its width), the
    speaker's name and role at its top, below the logo."""
    safe = fmt.inner_box()
    margin_l, margin_r = safe.x, fmt.width - safe.x - safe.width
    bottom = fmt.height - safe.y - safe.height
    top = safe.y + logo_height + round(0.01 * fmt.height)
    styles = [
        ("Caption", fmt.font_px, 2, bottom, "&H00FFFFFF", 4),
        ("Name", fmt.name_px, 8, top, "&H00FFFFFF", 3),
    ]
    lines = [
        "[Script Info]", "ScriptType: v4.00+", f"PlayResX: {fmt.width}",
        f"PlayResY: {fmt.height}", "WrapStyle: 0", "ScaledBorderAndShadow: yes", "",
        "[V4+ Styles]",
        "Format: Name, Fontname, Fontsize, PrimaryColour, OutlineColour, BackColour, Bold, "
        "BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV",
    ]  # fmt: skip
    for name, size, alignment, margin_v, colour, outline in styles:
        lines.append(f"Style: {name},DejaVu Sans,{size},{colour},&H00000000,&H80000000,"
                     f"{-1 if name == 'Caption' else 0},1,{outline},0,{alignment},{margin_l},"
                     f"{margin_r},{margin_v}")  # fmt: skip
    lines += ["", "[Events]", "Format: Layer, Start, End, Style, Name, MarginL, MarginR, "
              "MarginV, Effect, Text"]  # fmt: skip
    if speaker:
        who = ass_plain(speaker) + (f"\\N{{\\fs{round(fmt.name_px * 0.8)}}}{ass_plain(detail)}"
                                    if detail else "")  # fmt: skip
        lines.append(f"Dialogue: 0,{ass_time(0)},{ass_time(duration_ms)},Name,,0,0,0,,{who}")
    for cue in cues:
        text = ass_plain(" ".join(cue.lines))
        lines.append(f"Dialogue: 0,{ass_time(cue.start_ms)},{ass_time(cue.end_ms)},Caption,,0,0,"
                     f"0,,{text}")  # fmt: skip
    return "\n".join(lines) + "\n"
