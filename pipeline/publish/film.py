"""One film in the site: its renditions (made by ``capture render`` in the film's own graph,
never encoded again: copied into the site as fragmented MP4s), HLS playlists over them,
thumbnails and poster (redone only when the master, its renditions, the preset or this
code changed since the last publish), and its text tracks (always rebuilt: a reviewer's
corrections reach the site on the next publish)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import xxhash

from pipeline.core.errors import CaptureError
from pipeline.core.fsutil import atomic_link_or_copy
from pipeline.core.jobs import Spread, one_after_another
from pipeline.core.presets import JPEG_STILL_QUALITY, Preset
from pipeline.core.probe import probe
from pipeline.core.runner import OutputFile, run_ffmpeg
from pipeline.core.sizes import bitrate_kbps, bytes_per_minute
from pipeline.core.tempfiles import filter_safe_tempdir
from pipeline.ingest.offload import hash_file
from pipeline.publish import hls
from pipeline.publish.audio_chapters import ffmetadata, with_chapters
from pipeline.publish.manifest import Film, Listening, PublishedFile, Rendition, Still
from pipeline.publish.rendered import RenderedFilm
from pipeline.publish.texttracks import FilmText, film_text, write_text_tracks
from pipeline.render import images, sprites
from pipeline.session import LoadedSession
from pipeline.session.cuelist import load_cue_list
from pipeline.session.siblings import is_cycle_film_folder
from pipeline.timeline.film_plan import on_this_clock

LABELS = {
    "full": "Version intégrale",
    "highlights": "Temps forts",
    "synthesis": "Synthèse du cycle",
}
PUBLISH_CODE = "publish-6"
"""Bump when what publishing makes of a film changes (renditions, HLS, thumbnails), so
existing sites get it again."""


@dataclass(frozen=True)
class Encoded:
    renditions: list[Rendition]
    hls_master: PublishedFile
    hls_files: list[PublishedFile]
    thumbnails_vtt: PublishedFile
    sprites: list[PublishedFile]
    listening: Listening | None


@dataclass(frozen=True)
class PublishedFilm:
    entry: Film
    text: FilmText
    candidates: list[images.Candidate] | None
    """Frames measured this time (None: the film's encodes were reused)."""
    encoded: bool


def film_inputs(film: RenderedFilm, preset: Preset) -> str:
    # the report lists the renditions with their sizes and is rewritten by every render:
    # hashing it spares reading gigabytes of renditions at every publish
    report = hash_file(film.report, "xxh128") if film.report else ""
    parts = [PUBLISH_CODE, hash_file(film.master, "xxh128"), report, preset.model_dump_json()]
    return xxhash.xxh128("\n".join(parts).encode("utf-8")).hexdigest()


def _reusable(folder: Path, old: Film | None, inputs: str) -> bool:
    if old is None or old.inputs != inputs:
        return False
    files = [r.file for r in old.renditions] + [old.hls_master, *old.hls_files, *old.sprites]
    files += [old.listening.file] if old.listening else []
    return all(f.intact(folder) for f in [*files, old.thumbnails_vtt])


def _package(film: RenderedFilm, preset: Preset, folder: Path, spread: Spread) -> Encoded:
    """The renditions ``capture render`` made, put into the site with their HLS and the
    seek-bar thumbnails (their sheets drawn as ``spread``'s jobs): nothing is encoded again."""
    info = probe(film.master, check_vfr=False)
    video = info.primary_video
    if video is None:
        raise CaptureError(f"{film.master} has no picture")
    codecs = hls.avc_codec_string(preset.video.profile, preset.video.level)
    if info.has_audio:
        codecs += ",mp4a.40.2"
    segment_seconds = preset.hls.segment_seconds if preset.hls else 6.0
    av1 = {rung.name for rung in preset.video.rungs if rung.codec == "av1"}
    variants, hls_files, renditions = [], [], []
    for made in film.renditions:
        output = folder / "video" / f"{film.name}-{made.name}.mp4"
        if made.name in av1:
            atomic_link_or_copy(made.path, output)
        else:  # fragmented, so that HLS is byte ranges of this very file
            hls.fragment_rendition(made.path, output, segment_seconds)
        size = output.stat().st_size
        published = Rendition(name=made.name, width=made.width, height=made.height,
                              bitrate_kbps=bitrate_kbps(size, film.duration_s),
                              bytes_per_minute=bytes_per_minute(size, film.duration_s),
                              file=PublishedFile.of(folder, output))  # fmt: skip
        if made.name in av1:  # beside the H.264 one of its height, on the page only
            picture = probe(output, check_vfr=False).primary_video
            if picture is None or picture.codec != "av1":
                raise CaptureError(f"{made.path} is not AV1 as the preset's {made.name} rung "
                                   f"says: render the {film.name} again")  # fmt: skip
            av1_codecs = hls.av1_codec_string(picture.profile, picture.level, picture.bit_depth)
            av1_codecs += ",mp4a.40.2" if info.has_audio else ""
            renditions.append(published.model_copy(update={"codec": "av1", "codecs": av1_codecs}))
            continue
        playlist = folder / "hls" / film.name / f"{made.name}.m3u8"
        peak, average = hls.byte_range_playlist(output, playlist)
        variants.append(hls.Variant(playlist.name, made.width, made.height, codecs,
                                    preset.video.frame_rate, peak, average))  # fmt: skip
        hls_files.append(PublishedFile.of(folder, playlist))
        renditions.append(published)
    listening = None
    if film.listening is not None:
        heard = folder / "audio" / f"{film.name}.m4a"
        atomic_link_or_copy(film.listening.path, heard)
        size = heard.stat().st_size
        listening = Listening(
            bitrate_kbps=bitrate_kbps(size, film.duration_s), file=PublishedFile.of(folder, heard),
            bytes_per_minute=bytes_per_minute(size, film.duration_s),
        )  # fmt: skip
    master_playlist = folder / "hls" / film.name / "master.m3u8"
    hls.write_master(master_playlist, variants)
    grid = sprites.sprite_grid(film.duration_s, video.width / video.height)
    source = _thumbnail_source(film, av1, grid)
    drawn = probe(source, check_vfr=False).primary_video if source != film.master else video
    if drawn is not None and drawn.duration and drawn.avg_frame_rate:
        last_frame_s = drawn.duration - 1 / float(drawn.avg_frame_rate) - 0.001
        grid = replace(grid, last_frame_s=min(last_frame_s, film.duration_s))
    sprite = sprites.thumbnail_sprite(source, film.duration_s, folder / "images", film.name,
                                      spread=spread, grid=grid)  # fmt: skip
    return Encoded(
        renditions, PublishedFile.of(folder, master_playlist), hls_files,
        PublishedFile.of(folder, sprite.vtt), [PublishedFile.of(folder, p) for p in sprite.images],
        listening,
    )  # fmt: skip


def _thumbnail_source(film: RenderedFilm, av1: set[str], grid: sprites.SpriteGrid) -> Path:
    """The smallest H.264 rendition at least twice a thumbnail's size, else the master: the
    same pictures (one graph made them all), and a ninth of a 1080p master's pixels to
    decode (``bench/results/sprites.json``: 0.13× the CPU). Sites published before keep
    their thumbnails drawn from the master (PUBLISH_CODE unchanged: they are as good)."""
    big_enough = [r for r in film.renditions if r.name not in av1
                  and r.width >= 2 * grid.width and r.height >= 2 * grid.height]  # fmt: skip
    return min(big_enough, key=lambda r: r.height).path if big_enough else film.master


def _encoded_from(old: Film) -> Encoded:
    return Encoded(old.renditions, old.hls_master, old.hls_files, old.thumbnails_vtt, old.sprites,
                   old.listening)  # fmt: skip


def _candidates(film: RenderedFilm) -> list[images.Candidate]:
    with filter_safe_tempdir("capture-frames-") as work:
        return images.candidates(film.master, film.clip_seconds(), work)


def _poster(
    loaded: LoadedSession, film: RenderedFilm, folder: Path, old: Film | None,
    found: list[images.Candidate] | None,
) -> tuple[Still | None, str | None, list[images.Candidate] | None]:  # fmt: skip
    """session.yaml's poster (always converted again: it may have changed), else the film's
    best frame (chosen again only when the film was, or the poster was not automatic)."""
    target = folder / "images" / f"{film.name}-poster.jpg"
    if loaded.session.poster:
        source = loaded.resolve(loaded.session.poster)
        if not source.is_file():
            raise CaptureError(f"poster {loaded.session.poster!r} is not in the session folder",
                               file=loaded.folder.session_file)  # fmt: skip
        quality = str(JPEG_STILL_QUALITY)
        run_ffmpeg(["-i", source, "-frames:v", "1", "-vf", "scale='min(1280,iw)':-2",
                    "-q:v", quality, OutputFile(target)], label="poster")  # fmt: skip
        return Still(time_s=0.0, file=PublishedFile.of(folder, target)), "session", found
    if found is None and old is not None and old.poster_source == "auto" and old.poster:
        if old.poster.file.intact(folder):
            return old.poster, "auto", found
    if found is None:
        found = _candidates(film)
    best = images.choose_poster(found)
    if best is None:
        return None, None, found
    images.extract_still(film.master, best.time_s, target)
    return Still(time_s=best.time_s, file=PublishedFile.of(folder, target)), "auto", found


def _listening(
    film: RenderedFilm, packaged: Listening | None, text: FilmText, folder: Path, title: str
) -> Listening | None:
    """The audio-only version with the film's chapters, written again whenever they or the
    title change (they are the editor's, and change without the film changing)."""
    if packaged is None:
        return None
    named = f"{title} ({LABELS[film.name]})"
    digest = xxhash.xxh128(ffmetadata(text.chapters, named).encode("utf-8")).hexdigest()
    if packaged.chapters == digest and packaged.file.intact(folder):
        return packaged  # the same film, chapters and title: nothing to write again
    if film.listening is None or not film.listening.path.is_file():
        raise CaptureError(f"the {film.name}'s chapters changed and the render's audio-only "
                           f"rendition is gone: render the {film.name} again")  # fmt: skip
    heard = folder / packaged.file.path
    with_chapters(film.listening.path, heard, text.chapters, named)
    size = heard.stat().st_size
    return Listening(bitrate_kbps=bitrate_kbps(size, film.duration_s),
                     bytes_per_minute=bytes_per_minute(size, film.duration_s),
                     file=PublishedFile.of(folder, heard), chapters=digest)  # fmt: skip


def checked_film_text(loaded: LoadedSession, film: RenderedFilm) -> FilmText:
    """The film's captions and text, refused (before anything is encoded) when there are
    none or they no longer fit the film."""
    cue_list = load_cue_list(loaded, film.name)
    text = film_text(loaded, film, on_this_clock(cue_list) if cue_list else None)
    if not text.cues:
        first = (
            "transcribe the sessions it cuts"
            if is_cycle_film_folder(loaded)
            else f"run `capture transcribe {loaded.root}`"
        )
        raise CaptureError(
            f"the {film.name} has no captions: {first}, then `capture subtitles "
            f"{loaded.root}` (published video must have French captions)"
        )
    return text


def publish_film(
    loaded: LoadedSession, film: RenderedFilm, text: FilmText, preset: Preset, folder: Path,
    old: Film | None, spread: Spread = one_after_another,
) -> PublishedFilm:  # fmt: skip
    inputs = film_inputs(film, preset)
    reused = _reusable(folder, old, inputs)
    assert old is not None or not reused
    encoded = _encoded_from(old) if reused and old else _package(film, preset, folder, spread)
    listening = _listening(film, encoded.listening, text, folder, loaded.session.title)
    found = None if reused else _candidates(film)
    poster, poster_source, found = _poster(loaded, film, folder, old if reused else None, found)
    files = write_text_tracks(text, folder / "text", film.name)
    entry = Film(
        name=film.name, label=LABELS[film.name], duration_s=film.duration_s, inputs=inputs,
        renditions=encoded.renditions, listening=listening,
        hls_master=encoded.hls_master, hls_files=encoded.hls_files,
        poster=poster, poster_source=poster_source, thumbnails_vtt=encoded.thumbnails_vtt,
        sprites=encoded.sprites,
        captions=PublishedFile.of(folder, files["captions"]), captions_reviewed=text.reviewed,
        srt=PublishedFile.of(folder, files["srt"]),
        chapters=PublishedFile.of(folder, files["chapters"]),
        transcript_txt=PublishedFile.of(folder, files["transcript"]),
    )  # fmt: skip
    return PublishedFilm(entry, text, found if not reused else None, not reused)
