"""An HTML template's text template gives every email the text its rendered HTML would give: random
templates of markup, merge fields (in text, in links, in attributes, marked safe), `if`s and
`for`s are rendered both ways and compared; a template whose text could differ has none."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from jinja2 import TemplateError

from marketing.email.services import derived_text, rendering
from marketing.email.services.derived_text import NotPlain, text_template
from marketing.email.services.plain_text import html_to_text, tidied

MARKUP = (  # noqa: SIM905 - a list literal would take a line for each
    "<p>|</p>|<br>|<h1>|</h1>|<li>|<tr>|<div class='c'>|</div>|<b>|</b>|<title>|</title>|<style>|</style>|"
    "<a href='https://s.example/x'>|</a>|<a href=\"https://s.example/?a=1&amp;b=2\">|<img src=x alt=''>|<!-- c -->|"
    "Fish &amp; chips|&pound;5|&am|p;|&#3|9;| |\n|  |\t|text|Zoë|<|>|&"
).split("|")
FIELDS = (  # noqa: SIM905
    "{{ name }}|{{ name|upper }}|{{ name|safe }}|{{ items|join(', ') }}|{{ missing }}|{{ count + 1 }}|"
    '{{ name if flag else \'none\' }}|<a href="{{ url }}">|<img alt="{{ name }}">|<a href={{ url }}>|'
    "<p {{ name }}>|&amp{{ name }}|<title>{{ name }}</title>|<!-- {{ name }} -->|{{ name.upper() }}"
).split("|")
VALUES = st.text(" \n\t&<>;#\"'aé\xa0x/", max_size=8)


@st.composite
def sources(draw, depth: int = 0) -> str:
    pieces = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.sampled_from(["markup", "markup", "field", "block"] if depth < 2 else ["markup", "field"]))
        if kind == "markup":
            pieces.append(draw(st.sampled_from(MARKUP)))
        elif kind == "field":
            pieces.append(draw(st.sampled_from(FIELDS)))
        elif draw(st.booleans()):
            branches = [draw(sources(depth + 1)) for _ in range(draw(st.integers(1, 3)))]
            tests = ["flag", "not flag", "count > 1"]
            source = "{% if " + tests[0] + " %}" + branches[0]
            for test, branch in zip(tests[1:], branches[1:-1], strict=False):
                source += "{% elif " + test + " %}" + branch
            if len(branches) > 1:
                source += "{% else %}" + branches[-1]
            pieces.append(source + "{% endif %}")
        else:
            pieces.append("{% for item in items %}" + draw(sources(depth + 1)).replace("name", "item") + "{% endfor %}")
    return "".join(pieces)


CONTEXTS = st.fixed_dictionaries(
    {
        "name": VALUES,
        "items": st.lists(VALUES, max_size=3),
        "flag": st.booleans(),
        "count": st.integers(0, 3),
        "url": st.sampled_from(["https://s.example/u?a=1&b=2", "https://s.example/<x>", ""]),
    }
)


def both_ways(source: str, context: dict) -> tuple[str, str] | None:
    """The email's text from its rendered HTML, and from the text template (None if it has none,
    or if this email's values are markup)."""
    html = rendering.render(source, context, html=True)  # a template that fails fails its email first
    template = text_template(rendering.parse(source, html=True))
    if template is None:
        return None
    try:
        derived = tidied(template.render(context))
    except NotPlain:
        return None
    return html_to_text(html), derived


@settings(max_examples=600, deadline=None)
@given(sources(), CONTEXTS)
def test_a_text_template_gives_what_the_rendered_html_gives(source, context):
    try:
        compared = both_ways(source, context)
    except TemplateError:  # not a template (two pieces made `{{`), or one that fails to render
        assume(False)
    assume(compared is not None)
    from_html, derived = compared
    assert derived == from_html


NEWSLETTER = """<html><head><title>{{ shop_name }}</title><style>p{color:red}</style></head><body>
<h1>Hello {{ first_name|default("there") }},</h1>
<p>Fresh colours. {% if order_count > 2 %}Free delivery for you.{% elif order_count %}Thanks!{% else %}
Welcome.{% endif %}</p>
<ul>{% for tag in tags %}<li><a href="https://shop.example/t/{{ tag }}">{{ tag|title }}</a></li>{% endfor %}</ul>
<p><a href="{{ preferences_url }}">Choose what we send you</a> &middot; Fish &amp; chips</p>
</body></html>"""


@pytest.mark.parametrize("order_count", [0, 1, 3])
def test_a_newsletter_has_a_text_template_with_the_same_text_for_every_contact(order_count):
    context = {
        "shop_name": "Shop & Co",
        "first_name": "Zoë <Z>",
        "order_count": order_count,
        "tags": ["linen", "a & b"],
        "preferences_url": "https://shop.example/p?x=1&y=2",
    }
    from_html, derived = both_ways(NEWSLETTER, context)
    assert derived == from_html
    assert "Zoë <Z>" in derived
    assert "Linen (https://shop.example/t/linen)" in derived


@pytest.mark.parametrize("url", ["", "https://s.example/p?a=1&b=2"])
def test_a_link_whose_url_is_a_merge_field_shows_it_only_if_it_is_not_empty(url):
    from_html, derived = both_ways('<p><a href="{{ url }}">Preferences</a></p>', {"url": url})
    assert derived == from_html == ("Preferences" + (f" ({url})" if url else ""))


@pytest.mark.parametrize(
    "source",
    [
        "<p {{ name }}>x</p>",  # a value inside a tag, outside a quoted value: it could add attributes
        "<a href={{ url }}>x</a>",  # an unquoted attribute value
        "<p>&amp{{ name }}</p>",  # a reference the value could finish
        "{% if flag %}<a href='1'>{% endif %}x</a>",  # a branch that opens a link the rest closes
        "<a href='{% if flag %}1{% else %}2{% endif %}'>x</a>",  # a block inside a tag
        "{% if flag %}<style>{% endif %}x</style>",  # a branch that starts a skipped element
        "<p>{{ items.append(1) }}{{ items|length }}</p>",  # a call: evaluated again, it could change
        "{% set greeting = 'hi' %}<p>{{ greeting }}</p>",  # anything but output, if and for
        "<p>{{ [1, 2]|random }}</p>",
        "<p>\ue000E0\ue001 {{ name }}</p>",  # the template writes what reads as a mark
        "<p>&#" + "0" * 60 + "{{ name }}</p>",  # a reference the value could finish, far back
    ],
)
def test_a_template_whose_text_could_differ_has_no_text_template(source):
    assert text_template(rendering.parse(source, html=True)) is None


def test_an_email_whose_value_is_markup_takes_its_text_from_its_html():
    template = text_template(rendering.parse("<p>{{ name|safe }}</p>", html=True))
    with pytest.raises(NotPlain):
        template.render({"name": "<b>bold</b>"})
    assert derived_text.plain_value("a & <b>") == "a & <b>"  # a plain value shows as it is
