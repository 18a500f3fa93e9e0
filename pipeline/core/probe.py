"""Media information from ``ffprobe -of json`` (never from ``ffmpeg -i`` text)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from fractions import Fraction
from pathlib import Path
from statistics import median
from typing import Any

from pipeline.core.errors import MediaError
from pipeline.core.runner import ffprobe_json

#: packets read at the start of a video stream to decide whether its frame rate is variable
VFR_SAMPLE_PACKETS = 240
#: a frame interval this far (relative) from the median one marks the stream as VFR
VFR_TOLERANCE = 0.05
#: frames dropped from the end of the sample, more than any B-frame reordering delay
REORDER_MARGIN = 16


def _fraction(value: Any) -> Fraction | None:
    """ffprobe's '30000/1001' or '16:9' as a Fraction; '0/0' and missing values as None."""
    if value in (None, "", "N/A"):
        return None
    text = str(value).replace(":", "/")
    try:
        num, _, den = text.partition("/")
        result = Fraction(int(num), int(den or 1))
    except (ValueError, ZeroDivisionError):
        return None
    return result if result > 0 else None


def _float(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


_DEEP_PIX_FMT = re.compile(r"(?:p|gray|f|y)(9|10|12|14|16)(?:le|be)$")


def bit_depth_of(pix_fmt: str | None, bits_per_raw_sample: Any = None) -> int | None:
    raw = _int(bits_per_raw_sample)
    if raw:
        return raw
    if not pix_fmt:
        return None
    match = _DEEP_PIX_FMT.search(pix_fmt)
    if match:
        return int(match.group(1))
    if pix_fmt.startswith(("rgb48", "bgr48", "rgba64", "bgra64")):
        return 16
    return 8


def _parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


@dataclass(frozen=True)
class VideoStream:
    index: int
    codec: str
    profile: str | None
    width: int
    height: int
    sample_aspect_ratio: Fraction | None
    display_aspect_ratio: Fraction | None
    avg_frame_rate: Fraction | None
    real_frame_rate: Fraction | None
    variable_frame_rate: bool
    field_order: str
    rotation: int
    """Degrees counter-clockwise to turn the frame for display, as ffprobe's display matrix
    says (0, 90, 180 or 270; a phone held upright usually records 270)."""
    pix_fmt: str | None
    bit_depth: int | None
    duration: float | None
    start_time: float | None
    frame_count: int | None
    level: int | None = None
    """The codec's level as ffprobe gives it (H.264: 41 for 4.1; AV1: seq_level_idx)."""

    @property
    def interlaced(self) -> bool:
        return self.field_order in ("tt", "bb", "tb", "bt")

    @property
    def frame_rate(self) -> Fraction | None:
        """The nominal rate to conform to: the exact base rate of a constant-rate stream
        (containers such as Matroska only estimate the average), else the average rate."""
        if not self.variable_frame_rate and self.real_frame_rate:
            return self.real_frame_rate
        return self.avg_frame_rate or self.real_frame_rate

    @property
    def display_size(self) -> tuple[int, int]:
        """Width and height as shown, after rotation."""
        if self.rotation in (90, 270):
            return self.height, self.width
        return self.width, self.height


@dataclass(frozen=True)
class AudioStream:
    index: int
    codec: str
    profile: str | None
    sample_rate: int
    channels: int
    channel_layout: str | None
    duration: float | None
    start_time: float | None


@dataclass(frozen=True)
class MediaInfo:
    path: Path
    container: str
    container_long_name: str | None
    duration: float | None
    size: int | None
    bit_rate: int | None
    creation_time: datetime | None
    timecode: str | None
    video: list[VideoStream] = field(default_factory=list)
    audio: list[AudioStream] = field(default_factory=list)

    @property
    def has_video(self) -> bool:
        return bool(self.video)

    @property
    def has_audio(self) -> bool:
        return bool(self.audio)

    @property
    def primary_video(self) -> VideoStream | None:
        return self.video[0] if self.video else None

    @property
    def primary_audio(self) -> AudioStream | None:
        return self.audio[0] if self.audio else None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (fractions as 'n/d', times as ISO 8601)."""

        def convert(value: Any) -> Any:
            if isinstance(value, Fraction):
                return f"{value.numerator}/{value.denominator}"
            if isinstance(value, datetime):
                return value.isoformat()
            if isinstance(value, Path):
                return str(value)
            if isinstance(value, dict):
                return {k: convert(v) for k, v in value.items()}
            if isinstance(value, list):
                return [convert(v) for v in value]
            return value

        data = convert(asdict(self))
        for stream, raw in zip(self.video, data["video"], strict=True):
            raw["interlaced"] = stream.interlaced
        return data


def _rotation(stream: dict[str, Any]) -> int:
    for side in stream.get("side_data_list") or []:
        if "rotation" in side:
            return int(round(float(side["rotation"]) / 90.0)) * 90 % 360
    return 0


def _is_variable_frame_rate(path: Path, stream_index: int, time_base: Fraction | None) -> bool:
    """Decide from real packet timestamps, not from r_frame_rate vs avg_frame_rate alone.

    Timestamps are rounded to the stream's time base (1 ms in Matroska), so an interval may
    differ from the typical one by up to a tick without the rate being variable.
    """
    data = ffprobe_json(
        path,
        [
            "-select_streams",
            str(stream_index),
            "-show_entries",
            "packet=pts_time",
            "-read_intervals",
            f"%+#{VFR_SAMPLE_PACKETS}",
        ],
    )
    times = sorted(
        t for t in (_float(p.get("pts_time")) for p in data.get("packets", [])) if t is not None
    )
    if len(times) >= VFR_SAMPLE_PACKETS:
        # packets come in decoding order: with B-frames, the frames shown just after the last
        # packet read are still to come, so the tail of the sorted times has holes
        times = times[:-REORDER_MARGIN]
    intervals = [b - a for a, b in zip(times, times[1:], strict=False) if b > a]
    if len(intervals) < 3:
        return False
    typical = median(intervals)
    tick = float(time_base) if time_base else 0.0
    allowed = max(VFR_TOLERANCE * typical, 1.5 * tick)
    return any(abs(i - typical) > allowed for i in intervals)


def _video_stream(path: Path, raw: dict[str, Any], check_vfr: bool) -> VideoStream:
    index = int(raw["index"])
    avg = _fraction(raw.get("avg_frame_rate"))
    real = _fraction(raw.get("r_frame_rate"))
    if check_vfr:
        vfr = _is_variable_frame_rate(path, index, _fraction(raw.get("time_base")))
    else:
        vfr = avg is not None and avg != real
    return VideoStream(
        index=index,
        codec=str(raw.get("codec_name", "unknown")),
        profile=raw.get("profile"),
        width=int(raw.get("width") or 0),
        height=int(raw.get("height") or 0),
        sample_aspect_ratio=_fraction(raw.get("sample_aspect_ratio")),
        display_aspect_ratio=_fraction(raw.get("display_aspect_ratio")),
        avg_frame_rate=avg,
        real_frame_rate=real,
        variable_frame_rate=vfr,
        field_order=str(raw.get("field_order") or "unknown"),
        rotation=_rotation(raw),
        pix_fmt=raw.get("pix_fmt"),
        bit_depth=bit_depth_of(raw.get("pix_fmt"), raw.get("bits_per_raw_sample")),
        duration=_float(raw.get("duration")),
        start_time=_float(raw.get("start_time")),
        frame_count=_int(raw.get("nb_frames")),
        level=_int(raw.get("level")),
    )


def _audio_stream(raw: dict[str, Any]) -> AudioStream:
    return AudioStream(
        index=int(raw["index"]),
        codec=str(raw.get("codec_name", "unknown")),
        profile=raw.get("profile"),
        sample_rate=int(raw.get("sample_rate") or 0),
        channels=int(raw.get("channels") or 0),
        channel_layout=raw.get("channel_layout"),
        duration=_float(raw.get("duration")),
        start_time=_float(raw.get("start_time")),
    )


def _timecode(data: dict[str, Any]) -> str | None:
    candidates = [data.get("format", {}).get("tags") or {}]
    candidates += [s.get("tags") or {} for s in data.get("streams", [])]
    for tags in candidates:
        for key, value in tags.items():
            if key.lower() == "timecode" and value:
                return str(value)
    return None


def probe(path: Path, *, check_vfr: bool = True) -> MediaInfo:
    """Probe ``path``. ``check_vfr`` reads the first packets' timestamps to detect VFR."""
    data = ffprobe_json(path, ["-show_format", "-show_streams"])
    fmt = data.get("format")
    if not fmt:
        raise MediaError("not a media file ffprobe understands", path=path)
    video: list[VideoStream] = []
    audio: list[AudioStream] = []
    for raw in data.get("streams", []):
        kind = raw.get("codec_type")
        disposition = raw.get("disposition") or {}
        if kind == "video" and not disposition.get("attached_pic"):
            video.append(_video_stream(path, raw, check_vfr))
        elif kind == "audio":
            audio.append(_audio_stream(raw))
    tags = fmt.get("tags") or {}
    stream_times = (s.get("tags", {}).get("creation_time") for s in data.get("streams", []))
    creation = tags.get("creation_time") or next((t for t in stream_times if t), None)
    return MediaInfo(
        path=path,
        container=str(fmt.get("format_name", "unknown")),
        container_long_name=fmt.get("format_long_name"),
        duration=_float(fmt.get("duration")),
        size=_int(fmt.get("size")),
        bit_rate=_int(fmt.get("bit_rate")),
        creation_time=_parse_time(creation),
        timecode=_timecode(data),
        video=video,
        audio=audio,
    )


def probe_many(
    paths: list[Path], *, check_vfr: bool = True
) -> tuple[list[MediaInfo], list[MediaError]]:
    """Probe every file; a bad one is collected with its error and the others go on."""
    results: list[MediaInfo] = []
    failures: list[MediaError] = []
    for path in paths:
        try:
            results.append(probe(path, check_vfr=check_vfr))
        except MediaError as error:
            failures.append(error)
    return results, failures
