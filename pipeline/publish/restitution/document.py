"""The restitution as documents: the site's page and the print-ready A4 PDF (HTML and print
CSS laid out by WeasyPrint, which embeds the fonts it uses). The PDF loads only local files:
the site's stills and photos, each scaled to 300 dpi at its printed width when larger, so a
photographer's 24-megapixel originals do not weigh down a document sent to print."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import cv2

from pipeline.core.errors import CaptureError, MissingDependencyError
from pipeline.core.fsutil import atomic_write_bytes
from pipeline.core.tempfiles import filter_safe_tempdir
from pipeline.publish.pages import environment
from pipeline.publish.restitution.qr import qr_svg_uri
from pipeline.publish.restitution.synthesis import synthesis_html

log = logging.getLogger(__name__)

PDF_VARIANT = "pdf/ua-1"
"""A tagged PDF (PDF/UA): headings, paragraphs, lists and images' descriptions readable by
a screen reader, as a public body's documents must be."""
PRINT_DPI = 300
SHARP_PRINT_DPI = 150
"""Below this an image looks soft on paper (said when the PDF is made)."""
PRINTED_WIDTH_MM = {"still": 80.0, "photo": 84.0}
"""The printed width of each kind of image (restitution_print.css.j2)."""


@dataclass(frozen=True)
class PrintedPdf:
    path: Path
    pages: int
    bytes: int
    lowest_dpi: int | None
    """The lowest resolution of an image as printed (None: no image)."""


class _PrintImages:
    """Site images as the PDF loads them: the file itself, or a copy scaled to 300 dpi."""

    def __init__(self, folders: dict[str, Path], work: Path) -> None:
        self.folders = folders
        self.work = work
        self.dpi: list[int] = []
        self.made: dict[tuple[Path, str], tuple[str, int]] = {}

    def __call__(self, relative: str, slug: str | None = None, kind: str = "photo") -> str:
        folder = self.folders[slug] if slug else next(iter(self.folders.values()))
        source = (folder / relative).resolve()
        if (source, kind) not in self.made:  # an image shown twice is read and scaled once
            self.made[(source, kind)] = self._print_version(source, folder, kind)
        uri, dpi = self.made[(source, kind)]
        self.dpi.append(dpi)
        return uri

    def _print_version(self, source: Path, folder: Path, kind: str) -> tuple[str, int]:
        if not source.is_relative_to(folder.resolve()) or not source.is_file():
            raise CaptureError(f"{source} is missing from the site: publish the session again")
        image = cv2.imread(str(source))
        if image is None:
            raise CaptureError(f"{source} is not an image OpenCV can read")
        width_mm = PRINTED_WIDTH_MM[kind]
        wanted = round(width_mm / 25.4 * PRINT_DPI)
        height, width = image.shape[:2]
        if width <= wanted:
            return source.as_uri(), round(width / (width_mm / 25.4))
        scaled = cv2.resize(image, (wanted, round(height * wanted / width)),
                            interpolation=cv2.INTER_AREA)  # fmt: skip
        target = self.work / f"{len(self.made):03d}.jpg"
        cv2.imwrite(str(target), scaled, [cv2.IMWRITE_JPEG_QUALITY, 90])
        return target.as_uri(), PRINT_DPI


def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: Pango missing
        raise MissingDependencyError(
            f"WeasyPrint (the PDF engine) with Pango ({exc})",
            hint="`make setup` installs it; on Debian Pango comes with libpango-1.0-0.",
        ) from None
    return weasyprint


def write_pdf(
    template: str, target: Path, folders: dict[str, Path], **context: object
) -> PrintedPdf:
    """``template`` rendered for print into ``target`` (written under a temporary name).
    ``folders`` maps each session's slug to its folder in the site (where images are)."""
    weasyprint = _weasyprint()
    with filter_safe_tempdir("capture-print-") as work:
        images = _PrintImages(folders, work)

        def image(relative: str, kind: str = "photo", slug: str | None = None) -> str:
            return images(relative, slug, kind)

        html = (
            environment()
            .get_template(template)
            .render(image=image, qr=qr_svg_uri, synthesis=synthesis_html, **context)
        )
        fetcher = weasyprint.URLFetcher(allowed_protocols={"file", "data"}, fail_on_errors=True)
        document = weasyprint.HTML(string=html, base_url=str(target.parent),
                                   url_fetcher=fetcher).render()  # fmt: skip
        data = document.write_pdf(pdf_variant=PDF_VARIANT)
    atomic_write_bytes(target, data)
    return PrintedPdf(target, len(document.pages), len(data), min(images.dpi, default=None))
