"""The written restitution's parts: the team's Markdown synthesis, French typography, the
print layout's images (WeasyPrint on small generated pictures). The whole document, its QR
codes and their moments in a browser are tested on a published sample in test_publish.py."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from conftest import ffmpeg

from pipeline.core.errors import CaptureError, ConfigError
from pipeline.publish.restitution.content import (
    Moment,
    PrintedImage,
    PrintedQuote,
    Restitution,
    no_widow,
)
from pipeline.publish.restitution.document import write_pdf
from pipeline.publish.restitution.synthesis import read_synthesis, synthesis_html
from pipeline.subtitles.french import NBSP, NNBSP


def test_the_synthesis_is_markdown_under_the_documents_headings_and_never_html() -> None:
    html = synthesis_html(
        "# Constats\n\nUne question : **le foncier** ?\n\n## Pistes\n\n- *une* piste\n\n"
        "<script>alert(1)</script>\n\n[lien](javascript:alert(2)) ![photo](x.jpg)\n",
        heading_level=3,
    )
    assert "<h3>Constats</h3>" in html and "<h4>Pistes</h4>" in html
    assert f"question{NBSP}: <strong>le foncier</strong>{NNBSP}?" in html
    # punctuation and quotation marks around emphasis and links, across the text's pieces
    mixed = synthesis_html('Il dit "**non**" et **fin**! Voir [ceci](https://a.fr)? *a*: b', 3)
    assert f"Il dit «{NBSP}<strong>non</strong>{NBSP}» et" in mixed
    assert f"<strong>fin</strong>{NNBSP}!" in mixed and f"</a>{NNBSP}?" in mixed
    assert f"<em>a</em>{NBSP}: b" in mixed
    assert "<em>une</em>" in html
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript' not in html, "no script link"
    assert "<img" not in html and "photo" in html, "an image named, not loaded"


def test_a_synthesis_not_in_utf8_is_named(tmp_path: Path) -> None:
    assert read_synthesis(tmp_path) is None
    (tmp_path / "restitution.md").write_bytes("Synthèse".encode("latin-1"))
    with pytest.raises(ConfigError, match="restitution.md is not UTF-8"):
        read_synthesis(tmp_path)


def test_a_printed_quote_never_ends_on_a_word_alone() -> None:
    assert no_widow("Tout part de la terre.") == f"Tout part de la{NBSP}terre."
    assert no_widow("Seul") == "Seul"


def _restitution(still: str, photo: str) -> Restitution:
    moment = Moment(slug="s", fragment="#t=0:05")
    quote = PrintedQuote(text="Nous cultivons la terre.", speaker="Jacques Dubois",
                         detail="maraîcher", still=still, still_alt="Jacques Dubois",
                         time="0:05", film_label="Version intégrale", moment=moment)  # fmt: skip
    return Restitution(
        slug="s", title="Manger local", kind="rencontre", date_text="12 mars 2026",
        start_time="18:30", place=None, theme=None, synthesis="Un *texte*.", quotes=[quote],
        people=[], photos=[PrintedImage(file=photo, caption="La salle", credit="Métropole")],
        ambiance=[], films=[], links=[], credits=["Avec le soutien de la Métropole"],
        page=Moment(slug="s", fragment=""), images="0",
    )  # fmt: skip


def test_a_moment_is_addressed_from_the_sites_address_when_laid_out() -> None:
    moment = Moment(slug="manger-local", fragment="#t=12:34")
    assert moment.relative == "../index.html#t=12:34"
    assert moment.url("https://rencontres.example.org/") == (
        "https://rencontres.example.org/manger-local/#t=12:34")  # fmt: skip
    assert moment.printed("https://rencontres.example.org") == (
        "rencontres.example.org/manger-local/#t=12:34")  # fmt: skip
    assert moment.url(None) is None and moment.printed(None) is None
    film = Moment(slug="s", fragment="video/highlights-720p.mp4#t=3.2")
    assert film.relative == "../video/highlights-720p.mp4#t=3.2"


@pytest.mark.slow
def test_print_images_are_scaled_to_300_dpi_and_a_missing_one_is_named(tmp_path: Path) -> None:
    folder = tmp_path / "site" / "s"
    (folder / "images").mkdir(parents=True)
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=640x360", "-frames:v", "1",
           folder / "images" / "quote-01.jpg")  # fmt: skip
    ffmpeg("-f", "lavfi", "-i", "testsrc2=size=3000x2000", "-frames:v", "1",
           folder / "images" / "photo.jpg")  # fmt: skip
    content = _restitution("images/quote-01.jpg", "images/photo.jpg")
    target = folder / "restitution" / "r.pdf"
    target.parent.mkdir()
    document = {"title": "R", "cycle_title": "C", "contents": [], "base_url": "https://e.org/",
                "restitutions": [(content, "Rencontre")]}  # fmt: skip
    printed = write_pdf("restitution_print.html.j2", target, {"s": folder}, **document)
    listing = subprocess.run(["pdfimages", "-list", str(target)], capture_output=True,
                             text=True, check=True).stdout.splitlines()[2:]  # fmt: skip
    sizes = sorted((int(f[3]), int(f[12]), int(f[13])) for f in map(str.split, listing))
    # the 640-pixel still prints as it is (80 mm: 203 dpi); the 3000-pixel photo is scaled
    # to 300 dpi at its 84 mm (992 pixels), not embedded whole
    assert sizes == [(640, 203, 203), (992, 300, 300)]
    assert printed.lowest_dpi == 203 and printed.pages >= 1
    assert printed.bytes == target.stat().st_size
    assert list(target.parent.iterdir()) == [target], "no temporary file left"
    (folder / "images" / "photo.jpg").unlink()
    with pytest.raises(CaptureError, match="photo.jpg is missing from the site"):
        write_pdf("restitution_print.html.j2", target, {"s": folder}, **document)
