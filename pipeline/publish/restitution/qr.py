"""QR codes for print, drawn by segno (ISO/IEC 18004), as SVG so they stay sharp at any
printed size."""

from __future__ import annotations

import segno


def qr_svg_uri(url: str) -> str:
    """A data URI of the code for ``url``: error correction M (readable with a crease or a
    smudge), the standard four-module quiet zone, black on white."""
    code = segno.make(url, error="m", micro=False)
    return code.svg_data_uri(scale=4, border=4, dark="#000", light="#fff")
