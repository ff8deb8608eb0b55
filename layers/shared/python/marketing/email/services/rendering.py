"""Email templates in a Jinja2 sandbox: validated when saved, rendered with a contact's fields.

Rules a marketer's template must follow, checked at save time so a bad template is a 400 and
never a failed send:
- valid Jinja2 syntax, known filters and tests only;
- no access to attributes or items whose name starts with an underscore (the sandbox would
  refuse them at render time; refusing at save time names the field);
- it renders with the sample contact (catches sandbox security errors and runtime errors) within
  the render limits of every send (services/template_sandbox.py: time and size).
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from marketing.email.models.templates import EmailTemplate, Preview
from marketing.email.services.plain_text import html_to_text, tidied
from marketing.errors import ValidationFailed

if TYPE_CHECKING:
    from jinja2 import Template, nodes

    from marketing.email.services.template_sandbox import LimitedSandbox

TEMPLATE_SYNTAX = ("{{", "{%", "{#")  # Jinja2's delimiters: a source without them renders the same for everyone

# Merge tags a template may use, with the values previews render with.
SAMPLE_CONTEXT: dict[str, Any] = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@example.com",
    "lifecycle_stage": "customer",
    "order_count": 3,
    "lifetime_value": "123.45",
    "shop_name": "Example Shop",
    "unsubscribe_url": "https://example.com/unsubscribe",
    "preferences_url": "https://example.com/preferences",
    # Abandoned-cart automation emails only: the cart that started the run.
    "cart": {"url": "https://example.com/cart/c1", "total": "54.00", "item_count": 2},
}


@cache
def _environment(html: bool) -> LimitedSandbox:
    """One sandbox per kind of output, built on first use: Jinja2 is imported only by the requests
    that render or validate, not at every cold start. HTML output is autoescaped."""
    from marketing.email.services.template_sandbox import LimitedSandbox

    return LimitedSandbox(autoescape=html)


def _unsafe_reason(tree: nodes.Template) -> str | None:
    from jinja2 import nodes

    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        name = node.attr if isinstance(node, nodes.Getattr) else getattr(node.arg, "value", None)
        if isinstance(name, str) and name.startswith("_"):
            return f"access to '{name}' is not allowed"
    return None


def validate(field: str, source: str, *, html: bool) -> None:
    """Raise ValidationFailed naming `field` if `source` is not a safe, renderable template."""
    from jinja2 import TemplateError
    from jinja2.exceptions import SecurityError, TemplateSyntaxError

    from marketing.email.services.template_sandbox import RenderLimitExceeded

    env = _environment(html)
    try:
        tree = env.parse(source)
    except TemplateSyntaxError as exc:
        raise ValidationFailed.field(field, f"template syntax error on line {exc.lineno}: {exc.message}") from exc
    reason = _unsafe_reason(tree)
    if reason:
        raise ValidationFailed.field(field, f"unsafe template: {reason}")
    try:
        render(source, SAMPLE_CONTEXT, html=html)
    except RenderLimitExceeded as exc:
        raise ValidationFailed.field(field, f"template exceeds a render limit: {exc}") from exc
    except SecurityError as exc:
        raise ValidationFailed.field(field, f"unsafe template: {exc}") from exc
    except TemplateError as exc:
        raise ValidationFailed.field(field, f"template error: {exc}") from exc
    except Exception as exc:  # a runtime error in the template itself (e.g. division by zero)
        raise ValidationFailed.field(field, f"template fails to render: {exc}") from exc


# Compiled sources kept per container: compiling in the sandbox costs milliseconds, rendering
# microseconds, and a mailing renders the same few sources (subject, HTML, text) for every recipient.
# Keyed by the source itself, not the template's id and version: a mailing's own subject is a source
# of its own, and a source compiles to the same code whatever template holds it. The sandbox's
# checks (deadline, sizes, attribute access) run in the compiled code at each render, not at compile.
@lru_cache(maxsize=64)
def _compiled(source: str, html: bool) -> Template:
    return _environment(html).from_string(source)


def parse(source: str, *, html: bool) -> nodes.Template:
    """The syntax tree of `source`, to be changed and compiled with `compile_tree`."""
    return _environment(html).parse(source)


def compile_tree(tree: nodes.Template, *, html: bool) -> Template:
    """A tree of `parse` compiled in the sandbox, its checks in the code as `render`'s are."""
    return _environment(html).from_string(tree)


@lru_cache(maxsize=64)
def _text_and_names(source: str, html: bool) -> tuple[str | tuple[str], ...] | None:
    """A source that is only text and `{{ name }}`s (a subject, mostly) as its pieces, a name as a
    1-tuple; None for any other source."""
    from jinja2 import nodes

    tree = _environment(html).parse(source)
    if not tree.body:
        return ()
    if len(tree.body) != 1 or not isinstance(tree.body[0], nodes.Output):
        return None
    pieces: list[str | tuple[str]] = []
    for child in tree.body[0].nodes:
        if isinstance(child, nodes.TemplateData):
            pieces.append(child.data)
        elif isinstance(child, nodes.Name) and child.ctx == "load" and child.name != "self":  # self: the template
            pieces.append((child.name,))
        else:
            return None
    return tuple(pieces)


def _filled(pieces: tuple[str | tuple[str], ...], context: dict[str, Any], *, html: bool) -> str:
    """What the compiled code of `pieces` yields, joined as it joins it: each name's value from the
    context, else the environment's globals, else undefined (""), as `escape(value)` in HTML and
    `str(value)` in text; the joined size checked by the sandbox's `concat`. Such a source calls
    nothing the deadline is checked at."""
    from markupsafe import escape

    environment = _environment(html)
    shown = escape if html else str
    parts = []
    for piece in pieces:
        if type(piece) is str:
            parts.append(piece)
            continue
        name = piece[0]
        value = context[name] if name in context else environment.globals.get(name, "")
        parts.append(shown(value))
    return environment.concat(parts)


def render(source: str, context: dict[str, Any], *, html: bool) -> str:
    """`source` rendered for `context`; RenderLimitExceeded past the render limits. A source of text
    and names only is filled in without Jinja2's render (half its time)."""
    from marketing.email.services.template_sandbox import time_limit

    pieces = _text_and_names(source, html)
    if pieces is not None:
        return _filled(pieces, context, html=html)
    template = _compiled(source, html)
    with time_limit():
        return template.render(context)


@lru_cache(maxsize=64)  # looked up for each email: a source's hash is kept with it, a scan is not
def has_template_syntax(source: str) -> bool:
    """Whether `source` has template syntax: without, it renders the same for everyone."""
    return any(mark in source for mark in TEMPLATE_SYNTAX)


@lru_cache(maxsize=32)
def _constant_text(html_source: str) -> str:
    """The text derived from an HTML source without merge fields: the same for every email."""
    return html_to_text(render(html_source, {}, html=True))


def _render(compiled: Template | None, source: str, context: dict[str, Any], *, html: bool) -> str:
    return render(source, context, html=html) if compiled is None else compiled.render(context)


def _derived(derived_text: Template | None, html_part: str, context: dict[str, Any]) -> str:
    """The text of an HTML with merge fields: from its text template (services/derived_text.py) if
    it has one and this email's values allow, else from the email's HTML."""
    if derived_text is not None:
        from marketing.email.services.derived_text import NotPlain

        try:
            return tidied(derived_text.render(context))
        except NotPlain:
            pass
    return html_to_text(html_part)


def render_template(
    template: EmailTemplate,
    context: dict[str, Any],
    *,
    html: Template | None = None,
    text: Template | None = None,
    derived_text: Template | None = None,
) -> Preview:
    """The subject and both parts of `template` for `context` (within one email's render limits);
    without a text part, the text is derived from the HTML: once per container for an HTML without
    merge fields, for each email otherwise (from `derived_text`, the HTML's text template, where it
    has one). `html` and `text`: the template's sources compiled already (`compile_tree`, e.g. with
    link slots), else they are compiled (once per container)."""
    from marketing.email.services.template_sandbox import time_limit

    with time_limit():
        html_part = _render(html, template.html_content, context, html=True)
        if template.text_content:
            text_part = _render(text, template.text_content, context, html=False)
        elif has_template_syntax(template.html_content):
            text_part = _derived(derived_text, html_part, context)
        else:
            text_part = _constant_text(template.html_content)
        subject = render(template.subject, context, html=False)
    # Three strings: nothing to validate (a model's validation costs as much as rendering a subject).
    return Preview.model_construct(subject=subject, html=html_part, text=text_part)
