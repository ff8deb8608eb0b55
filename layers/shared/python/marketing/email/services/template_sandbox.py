"""The Jinja2 sandbox templates render in, with limits on what rendering one email may take.

The sandbox keeps templates away from Python's internals; the limits keep a template (a mistake,
or worse) from taking a sending function down, and make it a failed recipient instead:
- time: rendering an email has RENDER_SECONDS. The deadline is checked where a template can repeat
  work: each loop iteration, call, filter, operator and `~` (the compiled code of `for` and `~`
  is routed through the environment for that);
- size: every part, and every block a template buffers (macros, `set` and `filter` blocks), is at
  most MAX_OUTPUT_CHARS, counted while it is joined (the environment's `concat`, a few pieces at a
  time), so an oversized part stops without being built; every value a call, filter or operator makes, counted into
  lists and dicts, is at most that size too.
A check in Python cannot interrupt one operation in C, so the operations that multiply sizes in
one step are estimated before they run: repetition (`*`), powers, `join`, `replace`, `indent`,
padding widths and widths in format strings. `lipsum` (placeholder text of any length) is removed.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from itertools import islice
from typing import Any

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.runtime import Macro
from jinja2.sandbox import SandboxedEnvironment

MAX_OUTPUT_CHARS = 256 * 1024  # per part: far above a real email (Gmail clips at 102 KB)
RENDER_SECONDS = 1.0  # per email: a real template renders in milliseconds
_MAX_DEPTH = 16  # of lists and dicts inside each other
_CONCAT_CHUNK = 16  # pieces of output counted at once (a template's text and its values, in order)
_NUMBER = re.compile(r"\d+")
# Methods of strings that can multiply sizes, and the filters that do the same.
_GROWING = {"join", "replace", "center", "ljust", "rjust", "zfill", "expandtabs", "indent", "format", "format_map"}

_deadline: ContextVar[float] = ContextVar("template_render_deadline", default=math.inf)


class RenderLimitExceeded(Exception):
    """Rendering took longer than RENDER_SECONDS or made more than MAX_OUTPUT_CHARS."""


@contextmanager
def time_limit() -> Iterator[None]:
    """Renders inside share one deadline (the parts of one email); a nested use keeps it."""
    if _deadline.get() != math.inf:
        yield
        return
    token = _deadline.set(time.monotonic() + RENDER_SECONDS)
    try:
        yield
    finally:
        _deadline.reset(token)


def _check_time() -> None:
    if time.monotonic() > _deadline.get():
        raise RenderLimitExceeded(f"rendering took longer than {RENDER_SECONDS:g} s")


def _size(value: Any, depth: int = 0) -> int:
    """Characters of a string, or items and characters inside a list or dict (a number: its
    digits); stops counting once past the limit. The exact types a render passes most (str, tuple,
    list, dict) are told by `type` first: the same count, without the slower checks."""
    kind = type(value)
    if kind is str:
        return len(value)
    if kind is tuple or kind is list:
        items: Iterable[Any] = value
    elif kind is dict:
        items = [*value.keys(), *value.values()]
    elif isinstance(value, str | bytes):
        return len(value)
    elif isinstance(value, int):
        return value.bit_length() // 3  # about its decimal digits
    elif isinstance(value, Mapping):
        items = [*value.keys(), *value.values()]
    elif isinstance(value, list | tuple | set | frozenset):
        items = value
    else:
        return 1
    if depth > _MAX_DEPTH:
        raise RenderLimitExceeded(f"values nested more than {_MAX_DEPTH} deep")
    total = len(value)
    for item in items:
        total += len(item) if type(item) is str else _size(item, depth + 1)
        if total > MAX_OUTPUT_CHARS:
            break
    return total


def _refuse_above_limit(size: int, what: str) -> None:
    if size > MAX_OUTPUT_CHARS:
        raise RenderLimitExceeded(f"{what} would be more than {MAX_OUTPUT_CHARS} characters")


def _checked(value: Any) -> Any:
    _refuse_above_limit(_size(value), "a value")
    return value


def _format_widths(format_string: str) -> int:
    """The largest number in a format string: a width or precision it may pad to."""
    return max((int(number) for number in _NUMBER.findall(format_string)), default=0)


def _argument(args: tuple[Any, ...], kwargs: Mapping[str, Any], index: int, name: str, default: Any) -> Any:
    return args[index] if len(args) > index else kwargs.get(name, default)


def _grown_size(operation: str, subject: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> int:
    """At most how large `operation` (a string method or filter of that name) makes `subject`
    with `args`: the operations that can multiply sizes (_GROWING) are estimated before they run."""
    if operation == "join":  # the filter: subject is the items, the argument the separator
        separator = str(_argument(args, kwargs, 0, "d", ""))
        return _size(subject) + len(separator) * len(subject)
    if not isinstance(subject, str):
        return 0
    if operation == "replace":
        old, new = str(_argument(args, kwargs, 0, "old", "")), str(_argument(args, kwargs, 1, "new", ""))
        occurrences = subject.count(old) if old else len(subject) + 1
        return len(subject) + occurrences * len(new)
    if operation == "indent":
        width = _argument(args, kwargs, 0, "width", 4)
        return len(subject) + (subject.count("\n") + 1) * (width if isinstance(width, int) else len(str(width)))
    if operation == "expandtabs":
        return len(subject) + subject.count("\t") * int(_argument(args, kwargs, 0, "tabsize", 8))
    if operation in ("format", "format_map"):
        return len(subject) + _format_widths(subject) + _size((args, kwargs))
    width = _argument(args, kwargs, 0, "width", 0)
    return max(len(subject), width if isinstance(width, int) else 0)  # center, ljust, rjust, zfill


def _bounded_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """`function` (a filter) with the deadline, its input and output sizes, and its growth checked."""
    # Filters that take the context or environment get it before the value they filter.
    value_at = 1 if getattr(function, "jinja_pass_arg", None) is not None else 0
    growing, joins = name in _GROWING, name == "join"
    the_input, the_result = f"the input of filter {name!r}", f"the result of filter {name!r}"

    @wraps(function)
    def bounded(*args: Any, **kwargs: Any) -> Any:
        _check_time()
        value = args[value_at]
        if joins and not isinstance(value, list | tuple | str):
            value = list(value)  # measured before it is joined
            args = (*args[:value_at], value, *args[value_at + 1 :])
        rest = args[value_at + 1 :]
        # _size((value, rest, kwargs)), counted item by item (an empty tuple or dict counts 0)
        size = 3 + (len(value) if type(value) is str else _size(value, 1))
        if rest:
            size += _size(rest, 1)
        if kwargs:
            size += _size(kwargs, 1)
        _refuse_above_limit(size, the_input)
        if growing:
            _refuse_above_limit(_grown_size(name, value, rest, kwargs), the_result)
        return _checked(function(*args, **kwargs))

    return bounded


class _BoundedCodeGenerator(CodeGenerator):
    """Routes each loop iteration and each `~` through the environment, where a Python-level check
    can see them (a loop over a list and a concatenation call nothing the sandbox hooks)."""

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        timed = nodes.Call(nodes.EnvironmentAttribute("timed_iteration"), [node.iter], [], None, None)
        timed.set_lineno(node.iter.lineno)
        fields = (node.target, timed, node.body, node.else_, node.test, node.recursive)
        super().visit_For(nodes.For(*fields, lineno=node.lineno), frame)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self.write("environment.checked_concatenation(")
        super().visit_Concat(node, frame)
        self.write(")")


class LimitedSandbox(SandboxedEnvironment):
    code_generator_class = _BoundedCodeGenerator
    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self, **options: Any):
        super().__init__(**options)
        self.globals.pop("lipsum", None)
        self.filters = {name: _bounded_filter(name, function) for name, function in self.filters.items()}

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        """A template's globals as one dict, not Jinja's ChainMap over the environment's: every render
        copies them into its context, and copying a ChainMap costs more than the render of a subject.
        The environment's globals do not change once it is made (lipsum is removed in __init__)."""
        return {**self.globals, **(d or {})}

    @staticmethod
    def concat(parts: Iterable[str]) -> str:  # type: ignore[override]
        """Joins a part or a buffered block, refusing it once it passes MAX_OUTPUT_CHARS. Its pieces
        are taken and counted _CONCAT_CHUNK at a time (`sum(map(len, …))`: one Python step per piece
        cost more than rendering them), so at most _CONCAT_CHUNK - 1 pieces are made past the limit
        before the refusal: the template's own text, or values already checked where they are made
        or given by the caller."""
        pieces = iter(parts)
        joined: list[str] = []
        size = 0
        while chunk := list(islice(pieces, _CONCAT_CHUNK)):
            size += sum(map(len, chunk))
            _refuse_above_limit(size, "the rendered text")
            joined += chunk
        return "".join(joined)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """`str.format` and `format_map` reach a template as Jinja's sandboxed wrapper, not as the
        bound method `call` sees: their growth is estimated here, before the wrapper runs."""
        sandboxed = super().wrap_str_format(value)
        if sandboxed is None:
            return None
        subject, name = value.__self__, value.__name__

        @wraps(sandboxed)
        def bounded(*args: Any, **kwargs: Any) -> str:
            _check_time()
            _refuse_above_limit(_grown_size(name, subject, args, kwargs), f"the result of {name}()")
            return _checked(sandboxed(*args, **kwargs))

        return bounded

    def timed_iteration(self, iterable: Iterable[Any]) -> Iterator[Any]:
        for item in iterable:
            _check_time()
            yield item

    def checked_concatenation(self, value: str) -> str:
        _check_time()
        return _checked(value)

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        _check_time()
        if operator == "*":
            for sequence, times in ((left, right), (right, left)):
                if isinstance(sequence, str | bytes | list | tuple) and isinstance(times, int):
                    _refuse_above_limit(_size(sequence) * times, "a repetition")
        elif operator == "**" and isinstance(left, int) and isinstance(right, int) and abs(left) > 1:
            _refuse_above_limit(abs(left).bit_length() * right // 3, "a power")
        elif operator == "%" and isinstance(left, str):
            _refuse_above_limit(len(left) + _format_widths(left) + _size(right), "a formatted string")
        return _checked(super().call_binop(context, operator, left, right))

    # Positional-only: a template's keyword arguments may have any name.
    def call(self, context: Any, function: Any, /, *args: Any, **kwargs: Any) -> Any:
        _check_time()
        if not isinstance(function, Macro):  # a macro takes values of any size; its output is counted
            subject = getattr(function, "__self__", None)
            _refuse_above_limit(_size((subject, args, kwargs)), "the input of a call")
            name = getattr(function, "__name__", "")
            if isinstance(subject, str) and name in _GROWING:
                if name == "join":  # the string is the separator, the argument the items
                    items = args[0] if isinstance(args[0], list | tuple | str) else list(args[0])
                    args = (items,)
                    grown = _grown_size("join", items, (subject,), {})
                else:
                    grown = _grown_size(name, subject, args, kwargs)
                _refuse_above_limit(grown, f"the result of {name}()")
        return _checked(super().call(context, function, *args, **kwargs))
