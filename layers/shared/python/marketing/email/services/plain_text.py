"""A readable plain-text part from HTML, for templates that have no text content of their own.

Python's HTMLParser reads the HTML, or, when every piece of it is plain markup (a tag with
ASCII-named attributes, a closing tag, a comment, a declaration, text between), a scan with one
regular expression hands the same pieces to the same handlers in a third of the time: an email of a
template whose text is derived pays this for each recipient. Anything else (a stray `<`, an unusual
attribute, script or style holding a `<`) is left to HTMLParser, so the text is the same either way
(tests/unit/marketing/email/test_plain_text.py compares the two).
"""

from __future__ import annotations

import re
from html import unescape
from html.parser import HTMLParser
from typing import TypeVar

_BLOCKS = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "hr"}
_SKIPPED = {"style", "script", "head", "title"}
_SPACE = "[ \t\n\r\f]"  # ASCII white space only: HTMLParser's own patterns take any (\s)
# Tags whose content HTMLParser reads as raw text (script and style; title in newer Pythons): the scan
# takes one only where its content holds no `<` before its closing tag, which all versions read alike.
_RAW_TEXT_END = {tag: re.compile(rf"</{tag}{_SPACE}*>", re.IGNORECASE) for tag in ("script", "style", "title")}
# An attribute: its name, and its value, quoted or bare (a bare one ends at a space or the tag's end).
_ATTRIBUTE = re.compile(
    rf"""{_SPACE}+([a-zA-Z_:][-.a-zA-Z0-9_:]*)
    (?:{_SPACE}*={_SPACE}*("[^"]*"|'[^']*'|[^\s"'=<>`/]+(?![^ \t\n\r\f>])))?""",
    re.VERBOSE,
)
_PLAIN_MARKUP = re.compile(
    rf"""(?P<text>[^<]+)
    | <(?P<start>[a-zA-Z][-.a-zA-Z0-9:_]*)(?P<attributes>(?:{_ATTRIBUTE.pattern})*){_SPACE}*(?P<closed>/?)>
    | </(?P<end>[a-zA-Z][-.a-zA-Z0-9:_]*){_SPACE}*>
    | <!--(?!-?>)(?:(?!--).)*--> | <![a-zA-Z][^>]*> | <\?[^>]*>
    | (?P<other><)""",
    re.VERBOSE | re.DOTALL,
)
_OTHER_SPACES = ("\t", "\r", "\f", "\v")  # collapsed with runs of spaces into one space; not \xa0
ExtractorT = TypeVar("ExtractorT", bound="TextExtractor")


class TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0
        self._href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skip_depth += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")
        elif tag == "a":
            self._href = dict(attrs).get("href")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self._skip_depth = max(0, self._skip_depth - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")
        elif tag == "a" and self._href:
            self.parts.append(f" ({self._href})")
            self._href = None

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self.parts.append(data)


def _attributes(source: str) -> list[tuple[str, str | None]]:
    """As HTMLParser gives them: names in lower case, values without quotes, references decoded."""
    found: list[tuple[str, str | None]] = []
    for name, value in _ATTRIBUTE.findall(source):
        if value[:1] in ("'", '"'):
            value = value[1:-1]
        elif not value:  # a name alone
            found.append((name.lower(), None))
            continue
        found.append((name.lower(), unescape(value)))
    return found


def _scanned(html: str, extractor: TextExtractor) -> list[str] | None:
    """`extractor`'s parts for `html` made of plain markup only; None for any other HTML."""
    for piece in _PLAIN_MARKUP.finditer(html):  # every character is in a piece: "other" takes any `<`
        kind = piece.lastgroup  # of a start tag: "closed", its last group
        if kind == "text":
            extractor.handle_data(unescape(piece.group()))
        elif kind == "end":
            extractor.handle_endtag(piece["end"].lower())
        elif kind == "closed":
            tag = piece["start"].lower()
            # Only a link's attributes are read (its href): finding the others is most of a parse.
            extractor.handle_starttag(tag, _attributes(piece["attributes"]) if tag == "a" else [])
            if piece["closed"]:
                extractor.handle_endtag(tag)
            elif tag in _RAW_TEXT_END:
                next_markup = html.find("<", piece.end())
                if next_markup < 0 or not _RAW_TEXT_END[tag].match(html, next_markup):
                    return None
        elif kind == "other":
            return None
    return extractor.parts


def converted(html: str, extractor: type[ExtractorT] = TextExtractor) -> ExtractorT:
    """The `extractor` that read `html`, its parts the text before it is tidied: the scan's, or a
    new one's that HTMLParser fed if the scan does not take `html`."""
    scanner = extractor()
    if _scanned(html, scanner) is not None:
        return scanner
    parser = extractor()
    parser.feed(html)
    parser.close()
    return parser


def html_to_text(html: str) -> str:
    return tidied("".join(converted(html).parts))


def tidied(text: str) -> str:
    """Each run of spaces, tabs, CR, FF and VT as one space, lines stripped, at most one blank line
    in a row: what `re.sub(r"[ \t\r\f\v]+", " ")` and `re.sub(r"\n{3,}", "\n\n")` did, in half the
    time with `str.replace` (the regular expressions try every position of the text)."""
    text = "\n".join([line.strip() for line in _spaces_collapsed(text).split("\n")])
    return _blank_lines_collapsed(text).strip()


def pretidied(piece: str) -> str:
    """A piece of a text tidied as far as it can be without what will stand beside it: tidying the
    whole text then gives what it would have (its spaces collapsed, none beside its line breaks,
    at most one blank line in a row; its ends left for the whole text's tidying)."""
    piece = _spaces_collapsed(piece).replace(" \n", "\n").replace("\n ", "\n")
    return _blank_lines_collapsed(piece)


def _spaces_collapsed(text: str) -> str:
    for space in _OTHER_SPACES:
        if space in text:
            text = text.replace(space, " ")
    while "  " in text:
        text = text.replace("  ", " ")
    return text


def _blank_lines_collapsed(text: str) -> str:
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text
