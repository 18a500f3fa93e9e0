"""Where the pieces of a fragmented MP4 lie: the initialisation section (``ftyp`` + ``moov``)
and each movie fragment (``moof`` + ``mdat``) with its byte range and duration, read from the
file's boxes and its segment index (``sidx``).

This is what lets one published MP4 serve both as the download and as HLS: the media
playlists point into it by byte range (``EXT-X-MAP`` and ``EXT-X-BYTERANGE``) instead of
repeating its bytes in segment files. ffmpeg writes such a file by stream copy
(``fragment_rendition``); reading it back here needs only the top-level boxes, so no
MP4 library is worth the dependency.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from pipeline.core.errors import CaptureError


@dataclass(frozen=True)
class Fragment:
    offset: int
    size: int
    duration_s: float


@dataclass(frozen=True)
class FragmentedMp4:
    init_size: int
    """Bytes from the start of the file to the end of ``moov``."""
    fragments: list[Fragment]


@dataclass(frozen=True)
class _Box:
    kind: str
    offset: int
    size: int
    header: int


def _boxes(stream: BinaryIO, length: int) -> list[_Box]:
    boxes, offset = [], 0
    while offset < length:
        stream.seek(offset)
        head = stream.read(16)
        if len(head) < 8:
            raise ValueError(f"a box header cut short at byte {offset}")
        size, kind = struct.unpack(">I4s", head[:8])
        header = 8
        if size == 1:
            size, header = struct.unpack(">Q", head[8:16])[0], 16
        elif size == 0:
            size = length - offset
        if size < header or offset + size > length:
            raise ValueError(f"box {kind!r} at byte {offset} runs past the end of the file")
        boxes.append(_Box(kind.decode("latin-1"), offset, size, header))
        offset += size
    return boxes


def _body(stream: BinaryIO, box: _Box) -> bytes:
    stream.seek(box.offset + box.header)
    return stream.read(box.size - box.header)


def _children(body: bytes) -> dict[str, list[bytes]]:
    """The boxes inside a container box's body, by type (their bodies)."""
    found: dict[str, list[bytes]] = {}
    for box in _boxes(io.BytesIO(body), len(body)):
        found.setdefault(box.kind, []).append(body[box.offset + box.header : box.offset + box.size])
    return found


def _video_track(moov: bytes) -> int | None:
    """The ID of the picture's track (handler ``vide``), from ``moov``."""
    for trak in _children(moov).get("trak", []):
        parts = _children(trak)
        tkhd, mdia = parts.get("tkhd", [b""])[0], parts.get("mdia", [b""])[0]
        hdlr = _children(mdia).get("hdlr", [b""])[0]
        if hdlr[8:12] == b"vide" and tkhd:
            return struct.unpack(">I", tkhd[12:16] if tkhd[0] == 0 else tkhd[20:24])[0]
    return None


def _segment_index(body: bytes) -> tuple[int, int, list[tuple[int, int]]]:
    """(track, timescale, [(referenced size, duration in timescale units)])."""
    version = body[0]
    track, timescale = struct.unpack(">II", body[4:12])
    if timescale == 0:
        raise ValueError("its segment index has no timescale")
    at = 12 + (8 if version == 0 else 16)  # earliest presentation time, first offset
    count = struct.unpack(">H", body[at + 2 : at + 4])[0]
    at += 4
    references = []
    for _ in range(count):
        kind_size, duration, _sap = struct.unpack(">III", body[at : at + 12])
        if kind_size >> 31:
            raise ValueError("its segment index points to other indexes (not supported)")
        references.append((kind_size & 0x7FFFFFFF, duration))
        at += 12
    return track, timescale, references


def read_fragmented(path: Path) -> FragmentedMp4:
    """The file's initialisation section and fragments; a clear error for an MP4 that is not
    fragmented or whose index does not describe its fragments."""
    length = path.stat().st_size
    try:
        with path.open("rb") as stream:
            boxes = _boxes(stream, length)
            moov = next((b for b in boxes if b.kind == "moov"), None)
            indexes = [_segment_index(_body(stream, b)) for b in boxes if b.kind == "sidx"]
            moofs = [b for b in boxes if b.kind == "moof"]
            if moov is None or not indexes or not moofs:
                raise ValueError("not a fragmented MP4 with a segment index")
            video = _video_track(_body(stream, moov))
            # one index per track: the picture's gives the fragments' durations
            _track, timescale, references = next(
                (i for i in indexes if i[0] == video), indexes[0])  # fmt: skip
    except (OSError, ValueError, struct.error) as exc:
        raise CaptureError(f"{path}: cannot read its fragments ({exc})") from exc
    bounds = [b.offset for b in boxes if b.kind in ("moof", "mfra")] + [length]
    ends = [min(b for b in bounds if b > moof.offset) for moof in moofs]
    if len(references) != len(moofs):
        raise CaptureError(f"{path}: its index lists {len(references)} fragments, "
                           f"the file holds {len(moofs)}")  # fmt: skip
    fragments = []
    for moof, end, (size, duration) in zip(moofs, ends, references, strict=True):
        if end - moof.offset != size:
            raise CaptureError(f"{path}: the fragment at byte {moof.offset} is {end - moof.offset}"
                               f" bytes, its index says {size}")  # fmt: skip
        fragments.append(Fragment(moof.offset, size, duration / timescale))
    return FragmentedMp4(init_size=moov.offset + moov.size, fragments=fragments)
