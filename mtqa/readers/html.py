"""HTML item bodies to plain text with one paragraph per block, for feed readers."""

from __future__ import annotations


_BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "tr", "section",
           "article", "header", "footer", "figcaption", "dd", "dt"}
_SKIP = {"script", "style", "noscript", "template"}


class TooDeep(ValueError):
    """Markup nested deeper than the parser keeps: reading on would silently drop the text."""


def html_to_text(markup: str) -> str:
    """Visible text of ``markup``, blocks separated by blank lines, inline white space kept as is.

    Script and style elements, comments and processing instructions are dropped (page code and
    notes to the desk, not copy); text that
    merely looks like code inside a paragraph is kept, so the markup-leak detector can see it.
    Raises TooDeep where libxml2 would drop text (nesting past its depth limit of 256, a text
    node past its size limit) rather than return less than the item holds.
    """
    if not isinstance(markup, str):
        raise TypeError(f"HTML body is a {type(markup).__name__}, not a string")
    if not markup.strip():
        return ""
    # lxml is imported on the first HTML: a run over plain text never needs it
    import lxml.html
    from lxml import etree

    parser = lxml.html.HTMLParser()
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div", parser=parser)
    except (etree.ParserError, ValueError):
        return markup
    for entry in parser.error_log:
        if "Excessive depth" in entry.message or "huge" in entry.message.lower():
            raise TooDeep(f"HTML nested too deeply or too large for the parser ({entry.message.strip()})")
    blocks: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = "".join(current).strip()
        if text:
            blocks.append(" ".join(text.split("\n")) if "\n" in text else text)
        current.clear()

    def walk(el) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if not tag:  # a comment or processing instruction: a note to the desk, never copy
            if el.tail:
                current.append(el.tail)
            return
        if tag in _SKIP:
            if el.tail:
                current.append(el.tail)
            return
        if tag in _BLOCKS:
            flush()
        if tag == "br":
            current.append("\n")
        if el.text and tag not in _SKIP:
            current.append(el.text)
        for child in el:
            walk(child)
        if tag in _BLOCKS:
            flush()
        if el.tail:
            current.append(el.tail)

    walk(root)
    flush()
    return "\n\n".join(blocks)
