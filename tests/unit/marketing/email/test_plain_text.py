from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from marketing.email.services import plain_text
from marketing.email.services.plain_text import html_to_text


def test_blocks_links_and_lists_become_readable_text():
    html = (
        "<html><head><style>p{color:red}</style></head><body><h1>Sale</h1><p>Up to <b>50%</b> off."
        "</p><ul><li>Shoes</li><li>Bags</li></ul><p><a href='https://s.example/sale'>Shop now</a></p>"
        "<script>track()</script></body></html>"
    )
    assert html_to_text(html) == "Sale\n\nUp to 50% off.\n\n- Shoes\n\n- Bags\n\nShop now (https://s.example/sale)"


def test_entities_are_decoded():
    assert html_to_text("<p>Fish &amp; chips &pound;5</p>") == "Fish & chips £5"


# --- the scan of plain markup reads HTML as HTMLParser does -----------------------------------------
# Markup of every kind, well-formed or not, and the characters markup is made of.
PIECES = (  # noqa: SIM905 - a list literal would take a line for each
    '<a href="https://s.example/?a=1&amp;b=2">|</a>|<A HREF=x>|<a href=\'y\' title="a>b">|<a href>|<a href="">|'
    '<a href=x/>|<a href="x"/>|<a href="1" href="2">|<a href = "sp ace">|<a\xa0href=q>|<p>|</p>|</P >|</ p>|<br/>|'
    '<br />|<h1>|</h1>|<li>|<tr>|<div\nclass="c"\n>|<head>|</head>|<title>|</title>|<style>|</style>|<STYLE>|'
    '</style >|<script>|</script>|<style media="x">p{}|<img src=x alt="">|<x:y a:b="1">|<!-- c -->|<!---->|<!-->|'
    "<!DOCTYPE html>|<?xml x?>|<![CDATA[x]]>|text|&amp;|&pound;|&am|p;| |\n|\t|\r|\xa0|<|>|\"|'|="
).split("|")


def _parsed(html: str) -> list[str]:
    extractor = plain_text.TextExtractor()
    extractor.feed(html)
    extractor.close()
    return extractor.parts


@settings(max_examples=500)
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text("<>/=\"' ab&;#!-?\n", max_size=6)), max_size=25))
def test_the_scan_reads_any_html_it_takes_as_html_parser_does(pieces):
    html = "".join(pieces)
    scanned = plain_text._scanned(html, plain_text.TextExtractor())
    assert scanned is None or scanned == _parsed(html)


def test_an_email_template_is_read_by_the_scan():
    html = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Sale</title><style>p{color:red}</style></head>'
        '<body><table role="presentation"><tr><td><a href="https://s.example/?a=1&amp;b=2"><img src=x alt=""></a>'
        "<p>Fish &amp; chips &pound;5<br/>for Zoë</p><!-- footer --></td></tr></table></body></html>"
    )
    assert plain_text._scanned(html, plain_text.TextExtractor()) == _parsed(html)


@settings(max_examples=500)
@given(st.text(" \t\r\f\v\n\xa0ab", max_size=40))
def test_spaces_and_blank_lines_are_tidied_as_the_regular_expressions_did(text):
    lines = [line.strip() for line in re.sub(r"[ \t\r\f\v]+", " ", text).split("\n")]
    assert plain_text.tidied(text) == re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
