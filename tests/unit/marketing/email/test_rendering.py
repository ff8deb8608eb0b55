"""Render limits: a template may take RENDER_SECONDS and make MAX_OUTPUT_CHARS per part, and no
single step may build a value larger than that (services/template_sandbox.py)."""

from __future__ import annotations

import time
import tracemalloc
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marketing.email.services import rendering, template_sandbox
from marketing.email.services.template_sandbox import MAX_OUTPUT_CHARS, RenderLimitExceeded
from marketing.errors import ValidationFailed

TOO_MUCH = MAX_OUTPUT_CHARS // 10 + 1


def render(source: str, **context) -> str:
    return rendering.render(source, {**rendering.SAMPLE_CONTEXT, **context}, html=True)


def test_ordinary_templates_render_as_before():
    source = (
        "{% set ns = namespace(n=0) %}{% for tag in tags %}{% set ns.n = ns.n + 1 %}{{ tag|upper }}"
        "{% if not loop.last %}, {% endif %}{% endfor %} ({{ ns.n }}) {{ '%s & %s'|format(first_name, 'co') }} "
        "{{ (first_name ~ '!') * 2 }} {{ 'a-b'.replace('-', ' ') }} {{ ', '.join(['x', 'y']) }} {{ 2 ** 10 }}"
        "{% macro m(n) %}<{{ n }}>{% endmacro %}{{ m(1000000) }}"
    )
    assert render(source, tags=["vip", "new"]) == ("VIP, NEW (2) Ada &amp; co Ada!Ada! a b x, y 1024<1000000>")


def test_a_part_larger_than_the_limit_is_refused():
    with pytest.raises(RenderLimitExceeded):
        render(f"{{% for i in range({TOO_MUCH}) %}}0123456789{{% endfor %}}")


def test_a_buffered_block_larger_than_the_limit_is_refused_even_if_nothing_of_it_is_shown():
    block = f"{{% for i in range({TOO_MUCH}) %}}0123456789{{% endfor %}}"
    with pytest.raises(RenderLimitExceeded):
        render("{% set big %}" + block + "{% endset %}{{ big|length }}")


def test_rendering_longer_than_the_time_limit_is_stopped(monkeypatch):
    monkeypatch.setattr(template_sandbox, "RENDER_SECONDS", 0.05)
    # A loop over a list inside a loop: no call, filter or output the sandbox would otherwise see.
    source = "{% set xs = range(3000)|list %}{% for a in xs %}{% for b in xs %}{% endfor %}{% endfor %}done"
    started = time.monotonic()
    with pytest.raises(RenderLimitExceeded, match="longer than"):
        render(source)
    assert time.monotonic() - started < 1


def test_one_email_shares_one_deadline_across_its_parts(monkeypatch):
    monkeypatch.setattr(template_sandbox, "RENDER_SECONDS", 0.05)
    slow = "{% set xs = range(400)|list %}{% for a in xs %}{% for b in xs %}{% endfor %}{% endfor %}"
    from marketing.email.models.templates import EmailTemplate

    template = EmailTemplate.model_construct(subject=slow, html_content=slow, text_content=slow)
    with pytest.raises(RenderLimitExceeded):
        rendering.render_template(template, rendering.SAMPLE_CONTEXT)


@pytest.mark.parametrize(
    "source",
    [
        "{{ 'x' * 1000000000 }}",
        "{{ ['x' * 1000] * 1000 }}",
        "{{ 10 ** 1000000000 }}",
        "{{ 'x'|center(1000000000) }}",
        "{{ 'x'.rjust(1000000000) }}",
        "{{ '%999999999s'|format('x') }}",
        "{{ '%999999999s' % 'x' }}",
        "{{ '{:>999999999}'.format('x') }}",
        "{% set s = 'x' * 200000 %}{{ s|replace('x', s) }}",
        "{% set s = 'x' * 200000 %}{{ s.replace('x', s) }}",
        "{% set s = 'x\n' * 100000 %}{{ s|indent(100000) }}",
        "{% set s = 'x' * 200000 %}{{ range(100000)|map('string')|join(s) }}",
        "{% set s = 'x' * 200000 %}{{ s.join(range(100000)|map('string')) }}",
        "{% set ns = namespace(s='x') %}{% for i in range(64) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
        "{% set a = 'x' * 200000 %}{% set b = a + a %}",
        "{% set xs = [] %}{% for i in range(100000) %}{{ xs.append('x' * 100) }}{% endfor %}",
    ],
)
def test_no_single_step_builds_a_value_larger_than_the_limit(source):
    """Refused before the value is built: the render never holds much more than the limit (memory,
    not time, is what tells; a timed assertion would fail on a busy machine)."""
    tracemalloc.start()
    try:
        with pytest.raises(RenderLimitExceeded):
            render(source)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 1024 * 1024, f"{peak / 1024 / 1024:.0f} MiB"


def test_lipsum_which_makes_text_of_any_length_is_not_available():
    with pytest.raises(Exception, match="lipsum"):
        render("{{ lipsum(1000000) }}")


def test_saving_a_template_past_a_limit_is_a_400_naming_the_field():
    with pytest.raises(ValidationFailed) as refused:
        rendering.validate("html_content", f"{{% for i in range({TOO_MUCH}) %}}0123456789{{% endfor %}}", html=True)
    assert [detail["field"] for detail in refused.value.details] == ["html_content"]
    assert "render limit" in refused.value.details[0]["reason"]


# --- what one container keeps: compiled sources, and the text of an HTML the same for everyone -----
def test_a_source_compiles_once_and_every_render_of_it_keeps_the_limits(monkeypatch):
    rendering._compiled.cache_clear()
    environment = rendering._environment(True)
    compiled = []
    compile_source = environment.from_string
    monkeypatch.setattr(environment, "from_string", lambda source: compiled.append(source) or compile_source(source))
    source = "{% for i in range(n) %}0123456789{% endfor %}"
    assert render(source, n=2) == "0123456789" * 2
    assert render(source, n=1) == "0123456789"
    with pytest.raises(RenderLimitExceeded):
        render(source, n=TOO_MUCH)
    assert compiled == [source]


def test_an_edited_template_renders_its_new_sources_even_under_the_same_id_and_version():
    from marketing.email.models.templates import EmailTemplate

    version = datetime(2026, 3, 1, tzinfo=UTC)
    template = EmailTemplate.model_construct(
        id="tpl_1", updated_at=version, subject="Hi {{ first_name }}", html_content="<p>1</p>", text_content=""
    )
    edited = template.model_copy(update={"subject": "Bye {{ first_name }}", "html_content": "<p>2</p>"})
    for each, subject, html in ((template, "Hi Ada", "<p>1</p>"), (edited, "Bye Ada", "<p>2</p>")):
        preview = rendering.render_template(each, rendering.SAMPLE_CONTEXT)
        assert (preview.subject, preview.html) == (subject, html)


def test_the_text_of_an_html_without_merge_fields_is_derived_once(monkeypatch):
    from marketing.email.models.templates import EmailTemplate
    from marketing.email.services.plain_text import html_to_text

    rendering._constant_text.cache_clear()
    derived = []
    monkeypatch.setattr(rendering, "html_to_text", lambda html: derived.append(html) or html_to_text(html))
    same = EmailTemplate.model_construct(subject="Hi {{ first_name }}", html_content="<p>Sale</p>", text_content="")
    personal = same.model_copy(update={"html_content": "<p>Hi {{ first_name }}</p>"})
    for name in ("Ada", "Grace"):
        assert rendering.render_template(same, {"first_name": name}).text == "Sale"
        assert rendering.render_template(personal, {"first_name": name}).text == f"Hi {name}"
    assert derived == ["<p>Sale</p>", "<p>Hi Ada</p>", "<p>Hi Grace</p>"]


# --- a source of text and names only is filled in as its compiled code renders it ------------------
SIMPLE_NAMES = ("first_name", "order_count", "tags", "missing", "range", "self", "loop")


@settings(max_examples=300, deadline=None)
@given(
    pieces=st.lists(st.one_of(st.text("ab <&>\"'{}%#", max_size=5), st.sampled_from(SIMPLE_NAMES)), max_size=6),
    first_name=st.one_of(st.text(max_size=6), st.integers(), st.none(), st.sampled_from(["<b>", "&amp;", "Zoë"])),
    html=st.booleans(),
)
def test_a_source_of_text_and_names_renders_as_its_compiled_code_does(pieces, first_name, html):
    source = "".join(f"{{{{ {piece} }}}}" if piece in SIMPLE_NAMES else piece for piece in pieces)
    context = {"first_name": first_name, "order_count": 3, "tags": ["a", "<b>"]}
    try:
        compiled = rendering._compiled(source, html).render(context)
    except Exception as exc:  # not a template at all (a stray `{%`): both refuse it
        with pytest.raises(type(exc)):
            rendering.render(source, context, html=html)
        return
    assert rendering.render(source, context, html=html) == compiled


def test_a_source_of_text_and_names_keeps_the_size_limit():
    assert rendering._text_and_names("Hi {{ first_name }}!", True) is not None
    with pytest.raises(RenderLimitExceeded):
        rendering.render("{{ a }}{{ a }}", {"a": "x" * (MAX_OUTPUT_CHARS // 2 + 1)}, html=False)
