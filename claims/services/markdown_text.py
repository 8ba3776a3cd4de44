"""The safe subset of Markdown that campaign e-mails and news are written in: paragraphs, line breaks,
emphasis, headings, lists, quotes, code and links to http(s) or mailto addresses. Raw HTML is shown as text,
never passed through, and images are not rendered (nothing loads from elsewhere)."""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt

ALLOWED_LINKS = ("https://", "http://", "mailto:")
_RULES = ["emphasis", "list", "link", "heading", "newline", "backticks", "blockquote", "escape", "entity"]


def _parser() -> MarkdownIt:
    md = MarkdownIt("zero", {"html": False, "breaks": True, "linkify": False, "typographer": False})
    md.enable(_RULES)
    md.validateLink = lambda url: url.strip().lower().startswith(ALLOWED_LINKS)
    return md


_MD = _parser()


@lru_cache(maxsize=64)  # a campaign's batch renders one body for every recipient
def render_markdown(text: str) -> str:
    """HTML for `text`: every tag in it is escaped, links only to http(s) and mailto addresses."""
    return _MD.render(text or "")
