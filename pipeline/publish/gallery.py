"""The photographer's photos on the site: each published as it was given (for download and
print) and in two web sizes made once (a phone loads the small one, the viewer the large
one), lazily loaded by the page's gallery."""

from __future__ import annotations

from pathlib import Path

import cv2

from pipeline.core.errors import CaptureError
from pipeline.core.fsutil import atomic_write_bytes
from pipeline.publish.manifest import ImageSize, PublishedFile, PublishedPhoto

WEB_WIDTHS = (480, 1280)
WEB_JPEG_QUALITY = 82


def _same_source(photo: PublishedPhoto, old: PublishedPhoto | None, folder: Path) -> bool:
    return (
        old is not None
        and old.file.sha256 == photo.file.sha256
        and bool(old.sizes)
        and all(size.file.intact(folder) for size in old.sizes)
    )


def with_web_sizes(
    folder: Path, photos: list[PublishedPhoto], old: list[PublishedPhoto]
) -> list[PublishedPhoto]:
    """``photos`` with their web sizes (``photos/web/NN-name-480.jpg``…), made again only
    for a photo whose file changed. Never enlarged: a photo narrower than a size is given
    at its own width, once."""
    previous = {p.file.path: p for p in old}
    done = []
    for photo in photos:
        kept = previous.get(photo.file.path)
        if _same_source(photo, kept, folder):
            assert kept is not None
            done.append(photo.model_copy(update={"width": kept.width, "height": kept.height,
                                                 "sizes": kept.sizes}))  # fmt: skip
            continue
        source = folder / photo.file.path
        image = cv2.imread(str(source))
        if image is None:
            raise CaptureError(f"{source} cannot be read as an image (damaged or not a photo)")
        height, width = image.shape[:2]
        sizes, made = [], set()
        for wanted in WEB_WIDTHS:
            size = min(wanted, width)
            if size in made:
                continue
            made.add(size)
            scaled = (
                image
                if size == width
                else cv2.resize(
                    image, (size, round(height * size / width)), interpolation=cv2.INTER_AREA
                )
            )
            ok, data = cv2.imencode(".jpg", scaled, [cv2.IMWRITE_JPEG_QUALITY, WEB_JPEG_QUALITY,
                                                     cv2.IMWRITE_JPEG_PROGRESSIVE, 1])  # fmt: skip
            assert ok
            target = source.parent / "web" / f"{source.stem}-{size}.jpg"
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(target, data.tobytes())
            sizes.append(ImageSize(width=scaled.shape[1], height=scaled.shape[0],
                                   file=PublishedFile.of(folder, target)))  # fmt: skip
        done.append(photo.model_copy(update={"width": width, "height": height, "sizes": sizes}))
    return done
