"""The team's synthesis (``restitution.md`` in the session folder): Markdown to HTML, in
French typography. Raw HTML and images are not allowed (the text is printed and published
as it is written); headings start at level 2 (level 1 is the document's title)."""

from __future__ import annotations

import re
from pathlib import Path

from markdown_it import MarkdownIt
from markdown_it.token import Token

from pipeline.core.errors import ConfigError
from pipeline.subtitles.french import NBSP, NNBSP, typography

SYNTHESIS_FILE = "restitution.md"


def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "typographer": False})


def _french(tokens: list[Token], shift: int) -> None:
    """Headings moved under the document's; French spaces in the text, also where
    punctuation follows emphasis or a link (`**mot** ?`: the space is in a token of its
    own); an image written in the text becomes its description."""
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            token.tag = f"h{min(6, int(token.tag[1]) + shift)}"
        if token.children:
            for index, child in enumerate(token.children):
                if child.type == "image":
                    child.type, child.tag, child.children = "text", "", None
                    child.content, child.attrs = child.content or "", {}
                if child.type == "text":
                    text = typography(child.content)
                    if index:
                        text = re.sub(r"^ +([;!?])", NNBSP + r"\1", text)
                        text = re.sub(r"^ +([:»])", NBSP + r"\1", text)
                    child.content = text


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
