"""Links decided once per source (services/link_slots.py): a source compiled with a slot for each
link it writes as its emails show it renders, for any contact, what rendering the source and then
rewriting every written link of the rendered part did (LinkScan); what no slot can take is left to
that rewrite, and a URL that a merge field makes is never tracked."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from marketing.email.links import link_id
from marketing.email.services import rendering
from marketing.email.services.email_message import written_links
from marketing.email.services.link_slots import SLOT_PREFIX, LinkScan, slotted

sys.path.insert(0, str(Path(__file__).resolve().parents[4] / "bench"))
import compose as bench  # the benchmark's newsletter: a real template

OWN = "https://marketing.test/api"
HTML_SOURCES = {
    "newsletter": bench.HTML,
    "plain": '<p>Hi {{ first_name }}, <a href="https://shop.example/sale?a=1&amp;b=2">Sale</a> '
    "<a href='https://shop.example/sale?a=1&amp;b=2'>again</a> <a href=\"https://shop.example/x \">x</a></p>",
    "merge-field-href": '<a href="{{ first_name }}">you</a> <a href="https://shop.example/p/{{ first_name }}">p</a>'
    ' <a href="https://shop.example/new">new</a>',
    "own-page": f'<a href="{OWN}/preferences/">prefs</a> <a href="https://shop.example/new">new</a>',
    "macro": '{% macro button(label) %}<a href="https://shop.example/buy">{{ label }}</a>{% endmacro %}'
    '{{ button("Buy") }} {{ button("Now")|upper }} <a href="https://shop.example/new">new</a>',
    "set-block": '{% set nav %}<a href="https://shop.example/nav">nav</a>{% endset %}{{ nav|replace("nav", "NAV") }}',
    "filter-block": '{% filter upper %}<a href="https://shop.example/up">up</a>{% endfilter %}',
    "string": '{{ \'<a href="https://shop.example/str">s</a>\'|safe }} <a href="https://shop.example/str">s</a>',
    "comment-raw": '{# <a href="https://shop.example/c">c</a> #}'
    '{% raw %}<a href="https://shop.example/r">r</a>{% endraw %}',
    "loops": '{% for tag in tags %}<a href="https://shop.example/t">{{ tag }}</a>{% else %}none{% endfor %}'
    '{% if first_name %}<a href="https://shop.example/t">hi</a>{% elif tags %}x{% else %}'
    '<a href="https://shop.example/e">e</a>{% endif %}',
    "autoescape-off": '{% autoescape false %}<a href="https://shop.example/a?x=1&amp;y=2">a</a>{% endautoescape %}',
}
TEXT_SOURCES = {
    "newsletter": bench.TEXT,
    "plain": "Sale: https://shop.example/sale?a=1&b=2. Again (https://shop.example/sale?a=1&b=2)!\nhttps://shop.example/end",
    "start": "https://shop.example/start and {{ first_name }}",
    "merge-next": "{{ first_name }}https://shop.example/a https://shop.example/a{{ first_name }} "
    "https://shop.example/a{% if tags %}/b{% endif %} https://shop.example/a",
    "whitespace-control": "https://shop.example/w {%- if first_name %}x{% endif %} https://shop.example/w",
    "punctuation": "See https://shop.example/p, https://shop.example/p? or https://shop.example/p.",
    "own-page": f"{OWN}/unsubscribe/ https://shop.example/new",
    "macro": "{% macro m() %}https://shop.example/m {% endmacro %}{{ m() }} {{ m()|upper }}",
}
# Contacts whose fields are no written link (see the last test for one that is).
contacts = st.fixed_dictionaries(
    {
        "first_name": st.one_of(
            st.text(max_size=12),
            st.sampled_from(["", "https://evil.example/x", "https://shop.example", '"><a href="x', "&amp;", ")"]),
        ),
        "tags": st.lists(st.sampled_from(["vip", "<b>", "https://evil.example/t", " "]), max_size=2),
        "order_count": st.integers(0, 4),
    }
)


def _tracked(link: str) -> str:
    return f"{OWN}/track/click/{link}/"


def _written(html: str, text: str) -> dict[str, str]:
    return {url: link_id(url) for url in written_links(html, text)}


def _as_before(source: str, html: bool, written: dict[str, str], context: dict) -> str:
    rendered = rendering.render(source, context, html=html)
    scan = LinkScan(written, OWN, _tracked)
    return scan.html(rendered) if html else scan.text(rendered)


def _with_slots(source: str, html: bool, written: dict[str, str], context: dict) -> str:
    numbering: dict[str, int] = {}
    compiled = slotted(source, html, written, OWN, numbering)
    slots = {f"{SLOT_PREFIX}{slot}": _tracked(link) for link, slot in numbering.items()}
    rendered = compiled.template.render({**context, **slots})
    if compiled.complete:
        return rendered
    scan = LinkScan(written, OWN, _tracked)
    return scan.html(rendered) if html else scan.text(rendered)


@pytest.mark.parametrize("name", HTML_SOURCES)
@settings(max_examples=40, deadline=None)
@given(contact=contacts)
def test_an_html_source_with_slots_renders_what_the_rewrite_of_its_rendered_part_did(name, contact):
    source = HTML_SOURCES[name]
    written = _written(source, "")
    # The rewrite also wrote every other href again, unescaped and escaped (`&#34;` as `&quot;`): the
    # same value, which a slotted part leaves as Jinja2 escaped it. Both are compared so written.
    same_escaping = LinkScan({}, OWN, _tracked).html
    with_slots, before = _with_slots(source, True, written, contact), _as_before(source, True, written, contact)
    assert same_escaping(with_slots) == same_escaping(before)


@pytest.mark.parametrize("name", TEXT_SOURCES)
@settings(max_examples=40, deadline=None)
@given(contact=contacts)
def test_a_text_source_with_slots_renders_what_the_rewrite_of_its_rendered_part_did(name, contact):
    source = TEXT_SOURCES[name]
    written = _written("", source)
    assert _with_slots(source, False, written, contact) == _as_before(source, False, written, contact)


def _complete(source: str, html: bool) -> bool:
    written = _written(source, "") if html else _written("", source)
    return slotted(source, html, written, OWN, {}).complete


def test_a_source_whose_links_are_all_written_as_shown_needs_no_rewrite_per_email():
    assert _complete(bench.HTML, True)
    assert _complete(bench.TEXT, False)
    assert _complete(HTML_SOURCES["plain"], True)
    assert _complete(HTML_SOURCES["loops"], True)
    assert _complete(TEXT_SOURCES["plain"], False)
    assert _complete(TEXT_SOURCES["own-page"], False)  # our own pages are not tracked at all


@pytest.mark.parametrize(
    ("source", "html"),
    [
        (HTML_SOURCES["macro"], True),
        (HTML_SOURCES["set-block"], True),
        (HTML_SOURCES["filter-block"], True),
        (HTML_SOURCES["string"], True),
        (HTML_SOURCES["comment-raw"], True),
        (HTML_SOURCES["autoescape-off"], True),
        (TEXT_SOURCES["merge-next"], False),
        (TEXT_SOURCES["whitespace-control"], False),
        (TEXT_SOURCES["macro"], False),
    ],
)
def test_a_link_no_slot_can_take_leaves_the_rewrite_to_every_email(source, html):
    assert not _complete(source, html)


def test_a_link_written_twice_or_in_both_parts_is_one_slot_and_a_merge_fields_url_none():
    html, text = HTML_SOURCES["plain"], TEXT_SOURCES["plain"]
    written = _written(html, text)
    numbering: dict[str, int] = {}
    slotted(html, True, written, OWN, numbering)
    slotted(text, False, written, OWN, numbering)
    assert numbering == {
        link_id("https://shop.example/sale?a=1&b=2"): 0,
        link_id("https://shop.example/x"): 1,
        link_id("https://shop.example/end"): 2,
    }
    numbering = {}
    slotted(HTML_SOURCES["merge-field-href"], True, _written(HTML_SOURCES["merge-field-href"], ""), OWN, numbering)
    assert numbering == {link_id("https://shop.example/new"): 0}


def test_a_merge_field_whose_value_is_a_written_link_is_not_tracked_any_more():
    """The rewrite of the rendered part tracked a merge field's URL equal to a written link (it could
    not tell them apart); a slot is only ever where the source writes the link."""
    source = HTML_SOURCES["merge-field-href"]
    written = _written(source, "")
    contact = {"first_name": "https://shop.example/new"}
    assert _as_before(source, True, written, contact).startswith(f'<a href="{OWN}/track/click/')
    assert _with_slots(source, True, written, contact).startswith('<a href="https://shop.example/new">you</a>')


def test_a_written_url_that_a_merge_field_or_a_tag_continues_is_not_a_written_link():
    """As written_links reads a source: `https://shop.example/p.{{ x }}` is not a written link. The
    rewrite of the rendered part tracked it where the contact's value happened to leave it alone
    and the same URL was written elsewhere; a slotted part never does."""
    source = "See https://shop.example/p.{{ first_name }} or https://shop.example/p"
    written = _written("", source)
    assert written_links("", source) == {"https://shop.example/p"}
    assert _with_slots(source, False, written, {"first_name": ""}) == (
        f"See https://shop.example/p. or {_tracked(link_id('https://shop.example/p'))}"
    )
    assert _with_slots(source, False, written, {"first_name": "x"}).startswith("See https://shop.example/p.x or ")
