from __future__ import annotations

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
