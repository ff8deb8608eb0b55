"""Click tracking decided once per template source, not once per email: the links written in a
source are found in its template text (Jinja2's TemplateData nodes, what a template outputs as it is
written) and each is replaced by a slot, a variable the email's tracked link fills at render time.

A link becomes a slot only where the email shows it exactly as written, so a slot puts the tracked
link where the per-email rewrite of the rendered part (`LinkScan`) would have put it:
- in template text that goes straight to the output: at the top level, or inside `if`, `for` (not
  recursive) and `with`; never in a macro, call, filter, set or named block, or an autoescape
  block, whose output another expression may change or escape differently;
- an HTML link: a whole `<a … href="…">` inside one piece of text, its value a written link;
- a text link: a whole URL inside one piece of text, with a character that ends a URL (or the
  template's own start or end) on each side, so no merge field's output can run into it.
A link written anywhere else (a Jinja string, a macro, next to a merge field) is left for
`LinkScan` on every email of that source (`Slotted.complete` is False); a URL that a merge field
makes is never a slot. The tests in tests/unit/marketing/email/test_link_slots.py compare both ways.
"""

from __future__ import annotations

import html as html_escaping
import re
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from jinja2 import Template, nodes

HTML_LINK = re.compile(r"""(<a\b[^>]*?\bhref\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)
TEXT_LINK = re.compile(r"""https?://[^\s<>"'()]+""")
_TRAILING_PUNCTUATION = ".,;:!?"
_ENDS_A_URL = re.compile(r"""[\s<>"'()]""")
SLOT_PREFIX = "_tracked_link_"  # a slot's variable: the prefix and the index of its link


def href(found: re.Match[str]) -> str:
    return html_escaping.unescape(found.group(3)).strip()


def text_url(found: re.Match[str]) -> str:
    return found.group(0).rstrip(_TRAILING_PUNCTUATION)


class LinkScan:
    """The rewrite of a rendered part: every written link (`written`: URL to link id) that is not
    one of our own pages (`own_base`) becomes the tracked link `tracked(link id)` gives."""

    def __init__(self, written: Mapping[str, str], own_base: str, tracked: Callable[[str], str]):
        self._written, self._own_base, self._tracked = written, own_base, tracked

    def link_of(self, url: str) -> str | None:
        """The id of the written link `url` is, None if it is none or one of our own pages."""
        link = self._written.get(url)
        return None if link is None or url.startswith(self._own_base) else link

    def tracked(self, url: str) -> str:
        link = self.link_of(url)
        return url if link is None else self._tracked(link)

    def html(self, body: str) -> str:
        def rewrite(found: re.Match[str]) -> str:
            quote = found.group(2)
            return f"{found.group(1)}{quote}{html_escaping.escape(self.tracked(href(found)), quote=True)}{quote}"

        return HTML_LINK.sub(rewrite, body)

    def text(self, body: str) -> str:
        def rewrite(found: re.Match[str]) -> str:
            url = text_url(found)
            return self.tracked(url) + found.group(0)[len(url) :]

        # A URL the rewrite changes is a written link found in the text as it is: where none is, the
        # text stays as it is (a text derived from an HTML shows its links' tracked URLs already).
        if not any(url in body for url in self._written):
            return body
        return TEXT_LINK.sub(rewrite, body)


class Slotted(NamedTuple):
    template: Template  # the source compiled with its slots
    complete: bool  # every written link of the source is in a slot: the rendered part needs no LinkScan


class _Spans(NamedTuple):
    start: int
    end: int
    url: str


def _html_spans(data: str, alone: tuple[bool, bool]) -> Iterator[_Spans]:
    for found in HTML_LINK.finditer(data):
        yield _Spans(found.start(3), found.end(3), href(found))


def _text_spans(data: str, alone: tuple[bool, bool]) -> Iterator[_Spans]:
    first, last = alone
    for found in TEXT_LINK.finditer(data):
        start, end = found.span()
        bounded_before = start > 0 and _ENDS_A_URL.match(data, start - 1) is not None
        if (bounded_before or (start == 0 and first)) and (end < len(data) or last):
            url = text_url(found)
            yield _Spans(start, start + len(url), url)


def _direct_outputs(body: list[nodes.Node]) -> Iterator[nodes.Output]:
    """The Output nodes of `body` whose text goes to the template's output as it is."""
    from jinja2 import nodes

    for node in body:
        if isinstance(node, nodes.Output):
            yield node
        elif isinstance(node, nodes.If):
            for branch in (node.body, *(elif_.body for elif_ in node.elif_), node.else_):
                yield from _direct_outputs(branch)
        elif isinstance(node, nodes.For) and not node.recursive:
            yield from _direct_outputs(node.body)
            yield from _direct_outputs(node.else_)
        elif isinstance(node, nodes.With):
            yield from _direct_outputs(node.body)


def slotted(source: str, html: bool, written: Mapping[str, str], own_base: str, numbering: dict[str, int]) -> Slotted:
    """`source` compiled in the sandbox (rendering.compile_tree) with a slot for each link written in
    its text that emails show as written; `numbering` (link id: slot) is shared by a template's parts
    and gains their new links."""
    from marketing.email.services import rendering

    tree, complete = slotted_tree(source, html, written, own_base, numbering)
    return Slotted(rendering.compile_tree(tree, html=html), complete)


def slotted_tree(
    source: str, html: bool, written: Mapping[str, str], own_base: str, numbering: dict[str, int]
) -> tuple[nodes.Template, bool]:
    """The syntax tree `slotted` compiles, and whether every written link of `source` is in a slot."""
    from jinja2 import nodes

    from marketing.email.services import rendering

    tracked = {url: link for url, link in written.items() if not url.startswith(own_base)}
    spans_of = _html_spans if html else _text_spans
    tree = rendering.parse(source, html=html)
    slotted_urls: Counter[str] = Counter()
    top = tree.body
    for output in _direct_outputs(top):
        children: list[nodes.Expr] = []
        for child in output.nodes:
            if not isinstance(child, nodes.TemplateData):
                children.append(child)
                continue
            first = bool(top) and output is top[0] and child is output.nodes[0]
            last = bool(top) and output is top[-1] and child is output.nodes[-1]
            data, at = child.data, 0
            for span in spans_of(data, (first, last)):
                link = tracked.get(span.url)
                if link is None:
                    continue
                slot = numbering.setdefault(link, len(numbering))
                slotted_urls[span.url] += 1
                children.append(nodes.TemplateData(data[at : span.start], lineno=child.lineno))
                children.append(nodes.Name(f"{SLOT_PREFIX}{slot}", "load", lineno=child.lineno))
                at = span.end
            children.append(nodes.TemplateData(data[at:], lineno=child.lineno) if at else child)
        output.nodes = children
    # Every written link of the source, wherever it is (in template text or not, next to a merge
    # field or not): a part whose links all became slots needs no LinkScan.
    everywhere = (
        (href(found) for found in HTML_LINK.finditer(source)) if html else map(text_url, TEXT_LINK.finditer(source))
    )
    written_urls = Counter(url for url in everywhere if url in tracked)
    return tree, slotted_urls == written_urls
