"""The text part of an HTML template with merge fields, derived once per template version instead
of from every email's HTML.

A template without a text part of its own gets one derived from its HTML (plain_text): for an HTML
with merge fields that meant parsing each email's rendered HTML, two thirds of composing it. Here the
HTML's syntax tree is turned once into a *text template*: each merge field, `if` and `for` is written
into the HTML as a mark (a private-use character that no template writes, and its number), the
marked HTML is turned into text as an email's would be, and the marks in that text become the merge
fields, `if`s and `for`s again. Rendering the text template then gives, before tidying, the text the
email's rendered HTML would give, because:
- a merge field's value is escaped in the HTML (autoescape), so it adds no markup there: its text is
  the value itself, in the place its mark lands (text between tags, or a link's URL shown after the
  link); a value that is markup already (`|safe` and the like) might add tags or entities, so an
  email meeting one has its text derived from its HTML after all (`NotPlain`), whatever the version;
- every `if` and `for` mark lands in text between tags, in the same state of the conversion (outside
  any skipped element, inside the same link or none), so leaving a branch out or repeating a body
  changes the text as it changes the HTML;
- no mark stands where it could change how the HTML around it is read: inside a tag outside a quoted
  attribute value, or right after an unfinished character reference (`&am` + a value);
- the expressions are pure: no calls (a method could change what a later one reads) and no
  `random`, so evaluating them again for the text gives what they gave the HTML.
A template that breaks any of these rules has no text template (`text_template` gives None) and its
emails' text is derived from their HTML as before. Tidying (spaces, blank lines) is done on each
email's text, values included, as before. tests/unit/marketing/email/test_derived_text.py renders
random templates both ways and compares them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING, Any, NamedTuple

from markupsafe import Markup

from marketing.email.services.plain_text import TextExtractor, converted, pretidied

if TYPE_CHECKING:
    from jinja2 import Template, nodes

    from marketing.email.services.template_sandbox import LimitedSandbox

_OPEN, _CLOSE = "\ue000", "\ue001"  # private-use characters: a mark is _OPEN kind number _CLOSE
# E: a merge field; for block n: I (if), B (elif, and its index), L (else), F (for), X (the end).
# H n ... Y n: a link's URL made of merge fields only, shown if they give one (`_MarkedText`).
_MARK = re.compile("\ue000([EIBLFXHY])([0-9]+)(?:\\.([0-9]+))?\ue001")
_BLOCK_ENDS, _SHOWN_END = frozenset("BLX"), frozenset("Y")
# Where a tag may be read: `<` and a letter (or a mark: a value may start with one), to its `>` or the
# end, over quoted values (even one not closed). A mark in one, outside a quoted value, could be read
# as part of the tag.
_TAG = re.compile(r"""<[a-zA-Z!/?\ue000](?:[^>"']|"[^"]*(?:"|\Z)|'[^']*(?:'|\Z))*(?:>|\Z)""")
_QUOTED = re.compile(r""""[^"]*"|'[^']*'""")
# What html.unescape would read on into whatever follows: a reference not finished yet.
_OPEN_REFERENCE = re.compile(r"&(?:#[xX]?[0-9a-fA-F]*|[^\t\n\f <&#;]*)\Z")


class NotPlain(Exception):
    """A merge field's value is markup: this email's text is derived from its rendered HTML."""


def plain_value(value: Any) -> Markup:
    """A merge field's value as the text shows it, what its escaped HTML reads as: the value itself
    (html.unescape undoes markupsafe.escape). Markup, so the autoescaping does not escape it."""
    if not hasattr(value, "__html__"):
        return Markup(str(value))  # noqa: S704 - text, not HTML: what the text part shows as it is
    markup = value.__html__()
    if "<" in markup or "&" in markup:  # a tag or a reference: only the HTML's conversion can tell
        raise NotPlain
    return Markup(markup)  # noqa: S704 - markup already, with no tag or reference in it


class _Marked(NamedTuple):
    html: str  # the HTML with marks
    fields: dict[int, nodes.Expr]  # E n: its expression
    blocks: dict[int, nodes.Node]  # n: its `if` or `for`


def _pure(expression: nodes.Node) -> bool:
    from jinja2 import nodes

    return not any(
        isinstance(node, nodes.Call) or (isinstance(node, nodes.Filter) and node.name == "random")
        for node in (expression, *expression.find_all(nodes.Node))
    )


def _marked(tree: nodes.Template) -> _Marked | None:
    from jinja2 import nodes

    pieces: list[str] = []
    fields: dict[int, nodes.Expr] = {}
    blocks: dict[int, nodes.Node] = {}

    def mark(kind: str, number: int, branch: int | None = None) -> None:
        pieces.append(f"{_OPEN}{kind}{number}{'' if branch is None else f'.{branch}'}{_CLOSE}")

    def block(node: nodes.Node, branches: list[tuple[str, int | None, list[nodes.Node]]]) -> bool:
        """An `if` or `for`: each branch after its mark, then the end's."""
        number = len(blocks)
        blocks[number] = node
        for kind, branch, body in branches:
            mark(kind, number, branch)
            if not walk(body):
                return False
        mark("X", number)
        return True

    def walk(body: list[nodes.Node]) -> bool:
        for node in body:
            if isinstance(node, nodes.Output):
                for child in node.nodes:
                    if isinstance(child, nodes.TemplateData):
                        if _OPEN in child.data or _CLOSE in child.data:  # it would read as a mark
                            return False
                        pieces.append(child.data)
                    elif _pure(child):
                        fields[len(fields)] = child
                        mark("E", len(fields) - 1)
                    else:
                        return False
            elif isinstance(node, nodes.If) and _pure(node.test) and all(_pure(elif_.test) for elif_ in node.elif_):
                elifs = [("B", index, elif_.body) for index, elif_ in enumerate(node.elif_)]
                if not block(node, [("I", None, node.body), *elifs, ("L", None, node.else_)]):
                    return False
            elif (
                isinstance(node, nodes.For)
                and not node.recursive
                and _pure(node.iter)
                and (node.test is None or _pure(node.test))
            ):
                if not block(node, [("F", None, node.body), ("L", None, node.else_)]):
                    return False
            else:  # set, macro, call, filter or named block, with, autoescape, include...
                return False
        return True

    return _Marked("".join(pieces), fields, blocks) if walk(tree.body) else None


def _read_safely(marked: str) -> bool:
    """No mark right after an unfinished reference, nor inside a tag outside a quoted value."""
    for found in _MARK.finditer(marked):
        if _OPEN_REFERENCE.search(marked, 0, found.start()):
            return False
    return not any(_OPEN in _QUOTED.sub("", tag.group()) for tag in _TAG.finditer(marked))


class _MarkedText(TextExtractor):
    """Notes, for each `if` and `for` mark met in text, which link the conversion is inside; marks
    the URL of a link made of merge fields only, which the text shows only if they give one."""

    def __init__(self) -> None:
        super().__init__()
        self.block_states: dict[str, list[str | None]] = {}
        self.links_shown_if: list[str] = []

    def handle_endtag(self, tag: str) -> None:
        href = self._href
        if tag != "a" or not href or _MARK.sub("", href):
            super().handle_endtag(tag)
            return
        number = len(self.links_shown_if)
        self.links_shown_if.append(href)
        self.parts.append(f"{_OPEN}H{number}{_CLOSE}")
        super().handle_endtag(tag)
        self.parts.append(f"{_OPEN}Y{number}{_CLOSE}")

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            for found in _MARK.finditer(data):
                if found.group(1) != "E":
                    self.block_states.setdefault(found.group(), []).append(self._href)
        super().handle_data(data)


def _tokens(text: str) -> Iterator[str | re.Match[str]]:
    at = 0
    for found in _MARK.finditer(text):
        if found.start() > at:
            yield text[at : found.start()]
        yield found
        at = found.end()
    if at < len(text):
        yield text[at:]


class _Builder:
    """The text template's body from the marked text: marks back into merge fields and blocks."""

    def __init__(self, marked: _Marked, text: str, links_shown_if: list[str]):
        self._marked = marked
        self._links_shown_if = links_shown_if
        self._tokens = list(_tokens(text))
        self._at = 0

    def body(self, number: int | None = None, ends: frozenset[str] = _BLOCK_ENDS) -> list[nodes.Node]:
        """Nodes up to the next mark of one of the `ends` kinds numbered `number` (or the end of the
        text); ValueError if the marks are out of order."""
        from jinja2 import nodes

        built: list[nodes.Node] = []
        output: list[nodes.Expr] = []
        while self._at < len(self._tokens):
            token = self._tokens[self._at]
            if isinstance(token, str):
                output.append(nodes.TemplateData(pretidied(token)))  # less for each email's tidying
                self._at += 1
                continue
            kind, index = token.group(1), int(token.group(2))
            if kind == "E":
                output.append(self._marked.fields[index])
                self._at += 1
                continue
            if output:
                built.append(nodes.Output(output))
                output = []
            if kind in ("I", "F", "H"):
                self._at += 1
                built.append(self._shown_if(index) if kind == "H" else self._block(index))
                continue
            if index != number or kind not in ends:
                raise ValueError("a block's marks are out of order")
            return built
        if number is not None:
            raise ValueError("a block is not closed")
        if output:
            built.append(nodes.Output(output))
        return built

    def _next(self, kind: str, number: int) -> re.Match[str]:
        token = self._tokens[self._at]
        if isinstance(token, str) or token.group(1) != kind or int(token.group(2)) != number:
            raise ValueError("a block's marks are out of order")
        self._at += 1
        return token

    def _shown_if(self, number: int) -> nodes.Node:
        """A link's URL made of merge fields only: HTMLParser reads an empty one as no URL."""
        from jinja2 import nodes

        fields = [self._marked.fields[int(found.group(2))] for found in _MARK.finditer(self._links_shown_if[number])]
        body = self.body(number, _SHOWN_END)
        self._next("Y", number)
        return nodes.If(nodes.Concat(fields), body, [], [])

    def _block(self, number: int) -> nodes.Node:
        from jinja2 import nodes

        original = self._marked.blocks[number]
        body = self.body(number)
        if isinstance(original, nodes.For):
            self._next("L", number)
            else_ = self.body(number)
            self._next("X", number)
            return nodes.For(original.target, original.iter, body, else_, original.test, False)
        assert isinstance(original, nodes.If)
        elifs = []
        for index, elif_ in enumerate(original.elif_):
            if int(self._next("B", number).group(3)) != index:
                raise ValueError("a block's marks are out of order")
            elifs.append(nodes.If(elif_.test, self.body(number), [], []))
        self._next("L", number)
        else_ = self.body(number)
        self._next("X", number)
        return nodes.If(original.test, body, elifs, else_)


@cache
def _environment() -> LimitedSandbox:
    """The HTML's sandbox (autoescaped: filters work as they do for the HTML), each merge field's
    value then shown as `plain_value` (Jinja2's `finalize`, on every value a template outputs)."""
    from marketing.email.services.template_sandbox import LimitedSandbox

    return LimitedSandbox(autoescape=True, finalize=plain_value)


def _block_marks(number: int, block: nodes.Node) -> list[str]:
    """The marks of block `number` in the order they are written."""
    from jinja2 import nodes

    if isinstance(block, nodes.If):
        kinds = ["I", *(f"B{number}.{index}" for index in range(len(block.elif_))), "L", "X"]
    else:
        kinds = ["F", "L", "X"]
    return [f"{_OPEN}{kind if kind.startswith('B') else f'{kind}{number}'}{_CLOSE}" for kind in kinds]


def text_template(tree: nodes.Template) -> Template | None:
    """The text template of an HTML template's syntax tree (its links in slots already), compiled
    in the sandbox; None if the tree breaks a rule of this module's note. What it renders is to be
    tidied (plain_text.tidied); it raises NotPlain for an email whose text it cannot give."""
    from jinja2 import nodes

    marked = _marked(tree)
    if marked is None or not _read_safely(marked.html):
        return None
    reader = converted(marked.html, _MarkedText)
    text, states = "".join(reader.parts), reader.block_states
    for number, block in marked.blocks.items():
        names = _block_marks(number, block)
        seen = [states.get(name, []) for name in names]
        # Each once, met in text (not in a link's URL), all inside the same link or none.
        if any(len(found) != 1 or text.count(name) != 1 for found, name in zip(seen, names, strict=True)):
            return None
        if len({found[0] for found in seen}) != 1:
            return None
    if any(text.count(f"{_OPEN}E{number}{_CLOSE}") > 1 for number in marked.fields):
        return None
    try:
        body = _Builder(marked, text, reader.links_shown_if).body()
    except ValueError:
        return None
    tree = nodes.Template(body)
    tree.set_lineno(1)
    return _environment().from_string(tree)
