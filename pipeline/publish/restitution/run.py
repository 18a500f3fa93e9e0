"""``capture restitution``: a published Rencontre's restitution (its page in the site and
its print-ready PDF), and the cycle's (every Rencontre's, with a table of contents). Both
are made from the site (what was published: stills, films, addresses) and, for a session,
the team's synthesis. ``capture publish`` makes the session's each time it publishes."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pipeline.core.digests import value_digest
from pipeline.core.errors import CaptureError
from pipeline.core.fsutil import atomic_write_text
from pipeline.publish import pages
from pipeline.publish.cycle import KIND_LABELS
from pipeline.publish.manifest import PublishedFile, PublishedRestitution, SessionManifest
from pipeline.publish.restitution.content import RESTITUTION_FOLDER, Restitution, gather
from pipeline.publish.restitution.document import PrintedPdf, write_pdf
from pipeline.publish.restitution.synthesis import synthesis_html
from pipeline.publish.site_config import SiteConfig

log = logging.getLogger(__name__)

TEMPLATES = ("restitution_body.html.j2", "restitution_print.html.j2",
             "restitution_print.css.j2")  # fmt: skip
CONTENT_FILE = "restitution.json"
CYCLE_PDF = "cycle/restitution-du-cycle.pdf"


@dataclass(frozen=True)
class RestitutionResult:
    entry: PublishedRestitution
    pdf: PrintedPdf | None
    """None: the PDF made last time still says the same (not laid out again)."""


def _code_digest() -> str:
    """The templates and this package's code: a change to either lays the PDFs out again."""
    folder = resources.files("pipeline.publish") / "templates"
    package = resources.files("pipeline.publish.restitution")
    texts = [(folder / name).read_text(encoding="utf-8") for name in TEMPLATES]
    texts += [(package / name).read_text(encoding="utf-8") for name in CODE]
    return value_digest(texts)


CODE = ("content.py", "document.py", "qr.py", "run.py", "synthesis.py")


def _pdf_name(slug: str) -> str:
    return f"restitution-{slug}.pdf"


def write_session_restitution(
    folder: Path, manifest: SessionManifest, synthesis: str | None, site: SiteConfig,
    *, base_url: str | None = None,
) -> RestitutionResult:  # fmt: skip
    """The restitution of the session published in ``folder`` (``SITE/<slug>``): its page,
    its PDF (laid out again only when what it says changed) and its content as JSON."""
    address = base_url or site.base_url
    content = gather(manifest, folder, synthesis)
    target = folder / RESTITUTION_FOLDER
    target.mkdir(parents=True, exist_ok=True)
    content_path = target / CONTENT_FILE
    atomic_write_text(content_path, content.model_dump_json(indent=1) + "\n")
    digest = value_digest([content.model_dump(mode="json"), site.title, address,
                           _code_digest()])  # fmt: skip
    pdf_path = target / _pdf_name(manifest.slug)
    old = manifest.restitution
    label = KIND_LABELS[manifest.kind]
    printed = None
    if old is None or old.digest != digest or not old.pdf.intact(folder):
        printed = write_pdf("restitution_print.html.j2", pdf_path, {manifest.slug: folder},
                            title=f"Restitution : {content.title}", cycle_title=site.title,
                            contents=[], restitutions=[(content, label)],
                            base_url=address)  # fmt: skip
        if address is None:
            log.warning("site.yaml gives no base_url: the printed restitution of %s has no QR "
                        "codes or addresses of the video", manifest.slug)  # fmt: skip
    made = (printed.pages, printed.lowest_dpi) if printed else (old.pages, old.lowest_dpi)  # type: ignore[union-attr]
    pdf_file = PublishedFile.of(folder, pdf_path)
    page = target / "index.html"
    pages.render_page(
        "restitution.html.j2", page, site=site, root="../../", r=content, kind_label=label,
        pdf={"file": pdf_path.name, "size_text": pages.size_text(pdf_file.bytes)},
        image=lambda relative, kind, slug: f"../{relative}", qr=None, synthesis=synthesis_html,
        base_url=address,
    )  # fmt: skip
    entry = PublishedRestitution(page=PublishedFile.of(folder, page), pdf=pdf_file,
                                 content=PublishedFile.of(folder, content_path),
                                 pages=made[0], lowest_dpi=made[1], digest=digest)  # fmt: skip
    return RestitutionResult(entry, printed)


def _published_content(site: Path, slug: str, manifest: SessionManifest) -> Restitution | None:
    """A session's restitution as published, or None (with a warning naming the file) when
    it or one of its images is missing: one damaged session never stops the others."""
    if manifest.restitution is None:
        return None
    path = site / slug / manifest.restitution.content.path
    try:
        content = Restitution.model_validate_json(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        content, missing = None, path
    else:
        images = [q.still for q in content.quotes] + [p.file for p in content.photos]
        images += [a.file for a in content.ambiance]
        missing = next((site / slug / i for i in images if not (site / slug / i).is_file()), None)
    if missing is not None:
        log.warning("%s is missing or damaged: %s is left out of the cycle's restitution until "
                    "it is published again", missing, slug)  # fmt: skip
        return None
    return content


def write_cycle_restitution(
    site: Path, sessions: list[tuple[str, SessionManifest]], settings: SiteConfig,
    previous_digest: str | None,
) -> tuple[PublishedFile | None, str | None, PrintedPdf | None]:  # fmt: skip
    """The cycle's document: every published session's restitution in date order, after a
    table of contents. Laid out again only when one of them changed; (None, None, None)
    when no session has one."""
    found = [(folder, content, KIND_LABELS[m.kind])
             for folder, m in sorted(sessions, key=lambda s: (s[1].date, s[0]))
             if (content := _published_content(site, folder, m)) is not None]  # fmt: skip
    target = site / CYCLE_PDF
    if not found:
        target.unlink(missing_ok=True)
        return None, None, None
    digest = value_digest([[c.model_dump(mode="json") for _, c, _ in found], settings.title,
                           settings.base_url, _code_digest()])  # fmt: skip
    if digest == previous_digest and target.is_file():
        return PublishedFile.of(site, target), digest, None
    target.parent.mkdir(parents=True, exist_ok=True)
    listed = [(content, label) for _, content, label in found]
    title = f"Restitution du cycle : {settings.title}"
    printed = write_pdf("restitution_print.html.j2", target,
                        {content.slug: site / folder for folder, content, _ in found},
                        title=title, cycle_title=settings.title, contents=listed,
                        restitutions=listed, base_url=settings.base_url)  # fmt: skip
    return PublishedFile.of(site, target), digest, printed


def require_published(site: Path, slug: str) -> SessionManifest:
    from pipeline.publish.manifest import read_session_manifest

    manifest = read_session_manifest(site / slug / "manifest.json")
    if manifest is None:
        raise CaptureError(f"{slug} is not published in {site}: run `capture publish` first "
                           "(the restitution shows the published film's moments)")  # fmt: skip
    return manifest
