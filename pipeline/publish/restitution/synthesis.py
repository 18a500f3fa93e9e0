"""The team's synthesis (``restitution.md`` in the session folder): Markdown to HTML, in
French typography. Raw HTML and images are not allowed (the text is printed and published
as it is written); headings start at level 2 (level 1 is the document's title)."""

from __future__ import annotations

from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from pipeline.core.errors import ConfigError
from pipeline.subtitles.french import typography

SYNTHESIS_FILE = "restitution.md"


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "typographer": False})


PLACE = "\ue000"
"""Stands for a piece that is not text (emphasis, a link's ends, a line break) while the
typography is applied to the whole run of text around it."""


def _french_inline(children: list[Token]) -> list[Token]:
    """The run's text in French typography, read as one string: punctuation after emphasis
    or a link (`**fin**!`), straight quotes around them (`"**non**"`)."""
    run = "".join(c.content if c.type == "text" else PLACE for c in children)
    pieces = typography(run).split(PLACE)
    others = iter(c for c in children if c.type != "text")
    rebuilt: list[Token] = []
    for index, piece in enumerate(pieces):
        if piece:
            token = Token("text", "", 0)
            token.content = piece
            rebuilt.append(token)
        if index < len(pieces) - 1:
            rebuilt.append(next(others))
    return rebuilt


def _french(tokens: list[Token], shift: int) -> None:
    """Headings moved under the document's; French typography in every run of text; an
    image written in the text becomes its description."""
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + shift)}"
        if token.children:
            for child in token.children:
                if child.type == "image":
                    child.type, child.tag, child.children = "text", "", None
                    child.content, child.attrs = child.content or "", {}
            token.children = _french_inline(token.children)


def synthesis_html(markdown: str, heading_level: int) -> str:
    """The Markdown as HTML (escaped: ``<script>`` stays text), ``#`` as ``heading_level``
    (the document's own headings stand above it)."""
    parser = _parser()
    tokens = parser.parse(markdown)
    _french(tokens, heading_level - 1)
    return parser.renderer.render(tokens, parser.options, {})


def read_synthesis(session_root: Path) -> str | None:
    """``restitution.md``'s text, or None when the team has not written one."""
    path = session_root / SYNTHESIS_FILE
    if not path.is_file():
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path} is not UTF-8 text (byte {exc.start}): save it as UTF-8",
                          file=path) from None  # fmt: skip
    return text if text.strip() else None
