"""Text laid out to fit the frame, measured with the font drawtext will draw it in.

drawtext neither wraps nor shrinks: a long title, a cast of thirty or a long role would run
off the picture. Each line is measured with the same TrueType font (Pillow's FreeType, the
library drawtext uses), wrapped at the measured width of the title-safe area, and shrunk,
never below a legible size. Credits that still do not fit roll, at a readable speed; when the
card is too short for that, or a title or lower third cannot fit, the text is refused with
what to change, before any encode starts.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from PIL import ImageFont

from pipeline.core.errors import ConfigError, MissingDependencyError
from pipeline.session.cuelist import LONGEST_CARD_S
from pipeline.timeline.model import TimelineCard

FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BOLD_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

SAFE_WIDTH = 0.8
"""Text stays in the middle 80 % of the frame's width (title-safe, 10 % each side)."""
MIN_TEXT_HEIGHT = 0.028
"""The smallest font size drawn, as a share of the frame height (20 px at 720p)."""
REFERENCE_HEIGHT = 1080
REFERENCE_WIDTH = 1920
"""Layouts are decided at 1920x1080 and scaled to the film: a preview or a 360p test film
wraps, shrinks and rolls exactly as the 1080p master does."""
BODY_SIZE = 0.042
"""A card's body text size as a share of the frame height, before shrinking."""
LINE_STEP = 1.45
"""Distance between two lines' tops, as a multiple of the font size."""

TEXT_BAND = {False: (0.1, 0.9), True: (0.1, 0.78)}
"""Where a card's text goes (top, bottom as shares of the height), without and with logos
(which sit below): a still card's lines are centred in it, rolling credits are seen through
it (below it, the ground is drawn again over the text, under the logos)."""
ROLL_SCALE = 0.8
"""Rolling credits are drawn at 80 % of a still card's sizes (still above the legible
minimum), as credits usually are: fewer lines wrap, so the roll is shorter."""
ROLL_HOLD_S = 1.5
"""Rolling credits stay still this long at the start and at the end."""
ROLL_MAX_SPEED = 0.1
"""Fastest readable roll, in frame heights per second (a line crosses the screen in ~7 s)."""

LOWER_THIRD_SIZE = 0.045
LOWER_THIRD_DETAIL = 0.8
"""The role line's size relative to the name's."""
LOWER_THIRD_MARGIN = 0.1
LOWER_THIRD_MAX_LINES = 2
"""Lines allowed for the name, and for the role, before a lower third is refused."""

NARROWEST_GLYPH = 0.2
"""Below any DejaVu glyph's advance (``i``, ``l``, ``.`` are about 0.28 em), as a share of
the font size."""

_SPACES = re.compile(r"[^\S\u00a0\u202f]+")
"""Breakable white space: any, but the non-breaking spaces French typography puts before
':' and inside « »."""


class TextDoesNotFit(ConfigError):
    """Text that cannot be drawn legibly inside the frame; the message says what to change."""


@lru_cache(maxsize=128)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    try:
        return ImageFont.truetype(path, size)
    except OSError:
        raise MissingDependencyError(
            f"the DejaVu font {path}", "Install it: sudo apt-get install fonts-dejavu-core"
        ) from None


def line_height(font: str, size: int) -> int:
    """The font's ascent plus descent: the tallest a drawn line (drawtext's ``th``) gets."""
    ascent, descent = _font(font, size).getmetrics()
    return ascent + descent


def text_width(text: str, font: str, size: int) -> float:
    """The advance of ``text`` in pixels, as drawtext lays it out (kerning included)."""
    return float(_font(font, size).getlength(text))


def one_line(text: str) -> str:
    """``text`` with every run of breakable white space (newlines included) as one space."""
    return " ".join(_SPACES.split(text)).strip()


def _fitting_prefix(word: str, font: str, size: int, max_width: float) -> int:
    """The length of the longest start of ``word`` no wider than ``max_width`` (at least 1)."""
    low, high = 1, len(word) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if text_width(word[:middle], font, size) <= max_width:
            low = middle
        else:
            high = middle - 1
    return low


def wrap(text: str, font: str, size: int, max_width: float) -> list[str]:
    """``text`` broken at spaces into lines no wider than ``max_width``; a word wider than a
    line (an address, a hostile string) is cut where it must."""
    lines: list[str] = []
    current = ""
    for word in one_line(text).split(" "):
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, font, size) <= max_width:
            current = candidate
            continue
        if current:
            lines.append(current)
        # no glyph but combining marks is narrower than NARROWEST_GLYPH: a line never holds
        # more characters than this, so a 40,000-character "word" is measured in slices
        most = int(max_width / (size * NARROWEST_GLYPH)) + 1
        while len(word) > 1:
            head = word[: most + 1]
            if text_width(head, font, size) <= max_width:
                if len(word) <= most:
                    break  # the whole (rest of the) word fits
                cut = most
            else:
                cut = _fitting_prefix(head, font, size, max_width)
            lines.append(word[:cut])
            word = word[cut:]
        current = word
    if current:
        lines.append(current)
    return lines or [""]


def _min_size(height: int) -> int:
    return round(height * MIN_TEXT_HEIGHT)


def _to_film(pixels: float, height: int) -> int:
    return max(1, round(pixels * height / REFERENCE_HEIGHT))


@dataclass(frozen=True)
class DrawnLine:
    text: str
    size: int
    bold: bool
    top: int
    """The line's top, in pixels, when the card starts."""


@dataclass(frozen=True)
class CardLayout:
    lines: tuple[DrawnLine, ...]
    roll_px_per_s: float = 0.0
    """0 for a still card; rolling credits move up at this speed..."""
    roll_from_s: float = 0.0
    roll_until_s: float = 0.0
    """...between these two times of the card."""
    band_top: int | None = None
    """Rolling over logos: the ground is drawn again from this line down."""

    @property
    def rolls(self) -> bool:
        return self.roll_px_per_s > 0


def _card_rows(card: TimelineCard, width: int, height: int, scale: float) -> list[DrawnLine]:
    rows = []
    for line in card.lines:
        size = max(_min_size(height), round(height * BODY_SIZE * line.size * scale))
        font = BOLD_FONT if line.bold else FONT
        rows += [DrawnLine(part, size, line.bold, 0)
                 for part in wrap(line.text, font, size, width * SAFE_WIDTH)]  # fmt: skip
    return rows


def _stacked(rows: list[DrawnLine], top: float) -> tuple[DrawnLine, ...]:
    placed = []
    for row in rows:
        placed.append(DrawnLine(row.text, row.size, row.bold, round(top)))
        top += row.size * LINE_STEP
    return tuple(placed)


def _block(rows: list[DrawnLine]) -> float:
    return sum(row.size * LINE_STEP for row in rows)


def card_layout(card: TimelineCard, width: int, height: int, fps: int) -> CardLayout:
    """The card's lines, placed: still and centred when they fit at a legible size (shrunk as
    needed), otherwise rolling credits; refused when neither works."""
    decided = _card_layout(card, round(width * REFERENCE_HEIGHT / height), REFERENCE_HEIGHT, fps)
    lines = tuple(DrawnLine(line.text, _to_film(line.size, height), line.bold,
                            round(line.top * height / REFERENCE_HEIGHT))
                  for line in decided.lines)  # fmt: skip
    band_top = decided.band_top
    return CardLayout(
        lines,
        decided.roll_px_per_s * height / REFERENCE_HEIGHT,
        decided.roll_from_s,
        decided.roll_until_s,
        None if band_top is None else round(band_top * height / REFERENCE_HEIGHT),
    )


def _card_layout(card: TimelineCard, width: int, height: int, fps: int) -> CardLayout:
    logos = bool(card.logos)
    band_top, band_bottom = (round(height * share) for share in TEXT_BAND[logos])
    largest = max((line.size for line in card.lines), default=1.0)
    scale = 1.0
    while True:
        rows = _card_rows(card, width, height, scale)
        if _block(rows) <= band_bottom - band_top:
            return CardLayout(_stacked(rows, (band_top + band_bottom - _block(rows)) / 2))
        if height * BODY_SIZE * largest * scale <= _min_size(height):
            break  # every line is at the smallest legible size
        scale *= 0.9
    seconds = card.frames / fps
    if card.kind != "credits":
        raise TextDoesNotFit(
            f"the {card.kind} card's {len(card.lines)} lines do not fit the frame at a legible "
            "size: shorten the session's title or the speakers' names in session.yaml"
        )
    rows = _card_rows(card, width, height, ROLL_SCALE)
    travel = max(0.0, _block(rows) - (band_bottom - band_top))
    needed = 2 * ROLL_HOLD_S + travel / (height * ROLL_MAX_SPEED)
    if needed > LONGEST_CARD_S:
        raise TextDoesNotFit(
            f"the credits' {len(rows)} lines need {math.ceil(needed)} s to roll at a readable "
            f"speed, more than the longest card ({LONGEST_CARD_S:g} s): shorten the credits, "
            "or the speakers' roles, in session.yaml"
        )
    if seconds < needed:
        raise TextDoesNotFit(
            f"the credits' {len(rows)} lines need {math.ceil(needed)} s to roll at a readable "
            f"speed and the card lasts {seconds:g} s: give them `credits: {{duration: "
            f"{math.ceil(needed)}}}`"
        )
    moving = seconds - 2 * ROLL_HOLD_S
    return CardLayout(
        _stacked(rows, band_top),
        roll_px_per_s=travel / moving,  # 0 when the larger lines happen to fit: still
        roll_from_s=ROLL_HOLD_S,
        roll_until_s=ROLL_HOLD_S + moving,
        band_top=band_bottom if logos else None,
    )


@dataclass(frozen=True)
class LowerThirdLine:
    text: str
    font: str
    size: int
    from_bottom: int
    """Pixels between the frame's bottom and the line's baseline box."""


def lower_third_layout(name: str, detail: str, width: int, height: int) -> list[LowerThirdLine]:
    """The name over its role, each wrapped on at most two lines inside the title-safe width,
    shrunk as needed down to the smallest legible size; refused when that is not enough.
    Lines come bottom up, each on its own box (drawtext's: the text's height plus a border
    above and below), stacked without overlapping: two halves of translucent boxes drawn
    over each other make a darker stripe."""
    decided = _lower_third_lines(
        name, detail, round(width * REFERENCE_HEIGHT / height), REFERENCE_HEIGHT
    )
    scaled = [(text, font, _to_film(size, height)) for text, font, size in decided]
    placed = []
    from_bottom = round(height * LOWER_THIRD_MARGIN)
    for number, (text, font, size) in enumerate(scaled):
        placed.append(LowerThirdLine(text, font, size, from_bottom))
        if number + 1 < len(scaled):
            above = scaled[number + 1][2]
            from_bottom += line_height(font, size) + box_border(size) + box_border(above) + 1
    return placed


def _lower_third_lines(
    name: str, detail: str, width: int, height: int
) -> list[tuple[str, str, int]]:
    """(text, font, size) of each line, bottom up, at ``height``."""
    smallest = _min_size(height)
    scale = 1.0
    while True:
        size = max(smallest, round(height * LOWER_THIRD_SIZE * scale))
        detail_size = max(smallest, round(size * LOWER_THIRD_DETAIL))
        room = width * SAFE_WIDTH - 2 * box_border(size)  # the box's border on both sides
        names = wrap(name, BOLD_FONT, size, room)
        details = wrap(detail, FONT, detail_size, room) if one_line(detail) else []
        if len(names) <= LOWER_THIRD_MAX_LINES and len(details) <= LOWER_THIRD_MAX_LINES:
            break
        if size == smallest and detail_size == smallest:
            raise TextDoesNotFit(
                f"the lower third of {one_line(name)[:60]!r} does not fit the frame at a "
                "legible size: shorten the name, role or organisation in session.yaml"
            )
        scale *= 0.9
    return [(text, FONT, detail_size) for text in reversed(details)] + [
        (text, BOLD_FONT, size) for text in reversed(names)
    ]


def box_border(size: int) -> int:
    """The border of a lower third line's box, around its text."""
    return max(2, size // 4)
