"""Email templates in a Jinja2 sandbox: validated when saved, rendered with a contact's fields.

Rules a marketer's template must follow, checked at save time so a bad template is a 400 and
never a failed send:
- valid Jinja2 syntax, known filters and tests only;
- no access to attributes or items whose name starts with an underscore (the sandbox would
  refuse them at render time; refusing at save time names the field);
- it renders with the sample contact (catches sandbox security errors and runtime errors).
"""

from __future__ import annotations

from typing import Any

from jinja2 import TemplateError, nodes
from jinja2.exceptions import SecurityError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment

from marketing.errors import ValidationFailed

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
}

_html_env = SandboxedEnvironment(autoescape=True)
_text_env = SandboxedEnvironment(autoescape=False)


def _unsafe_reason(tree: nodes.Template) -> str | None:
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        name = node.attr if isinstance(node, nodes.Getattr) else getattr(node.arg, "value", None)
        if isinstance(name, str) and name.startswith("_"):
            return f"access to '{name}' is not allowed"
    return None


def validate(field: str, source: str, *, html: bool) -> None:
    """Raise ValidationFailed naming `field` if `source` is not a safe, renderable template."""
    env = _html_env if html else _text_env
    try:
        tree = env.parse(source)
    except TemplateSyntaxError as exc:
        raise ValidationFailed.field(field, f"template syntax error on line {exc.lineno}: {exc.message}") from exc
    reason = _unsafe_reason(tree)
    if reason:
        raise ValidationFailed.field(field, f"unsafe template: {reason}")
    try:
        env.from_string(source).render(SAMPLE_CONTEXT)
    except SecurityError as exc:
        raise ValidationFailed.field(field, f"unsafe template: {exc}") from exc
    except TemplateError as exc:
        raise ValidationFailed.field(field, f"template error: {exc}") from exc
    except Exception as exc:  # a runtime error in the template itself (e.g. division by zero)
        raise ValidationFailed.field(field, f"template fails to render: {exc}") from exc


def render(source: str, context: dict[str, Any], *, html: bool) -> str:
    env = _html_env if html else _text_env
    return env.from_string(source).render(context)
