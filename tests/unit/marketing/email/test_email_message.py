"""Which links of a template are its own: the literal web links of its sources, as emails show them."""

from __future__ import annotations

from marketing.email.services.email_message import written_links


def test_literal_links_are_written_links_as_the_email_shows_them():
    html = (
        "<a href=\"https://shop.example/sale?a=1&amp;b=2\">Sale</a> <a href='http://shop.example/old'>Old</a> "
        'See https://shop.example/faq. <img src="https://cdn.example/logo.png"> <a href="mailto:x@shop.example">x</a>'
    )
    text = "Shop: https://shop.example/text, or (https://shop.example/paren)."
    assert written_links(html, text) == {
        "https://shop.example/sale?a=1&b=2",
        "http://shop.example/old",
        "https://shop.example/faq",
        "https://cdn.example/logo.png",
        "https://shop.example/text",
        "https://shop.example/paren",
    }


def test_urls_made_by_merge_fields_or_template_syntax_are_not_written_links():
    html = (
        '<a href="{{ cart.url }}">Cart</a> <a href="https://shop.example/p/{{ product_id }}">P</a> '
        "{{ first_name }} https://shop.example/u?{% if vip %}vip=1{% endif %} https://shop.example{# note #}"
    )
    text = "{{ unsubscribe_url }} https://shop.example/{{ slug }}"
    assert written_links(html, text) == set()
