"""The MIME written without the email package reads back with it as it was given: headers, both
parts, in CRLF lines of at most 998 octets."""

from __future__ import annotations

import email
import re
from email import policy
from email.message import EmailMessage
from email.utils import formataddr

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from marketing.email import mime

TEXT = "Hello Zoë,\n\nour spring edit is here: £49.\n"
HTML = '<html><body><p>Hello Zoë,</p><p><a href="https://shop.example/?a=1&amp;b=2">Shop</a></p></body></html>'


def parsed(data: bytes) -> EmailMessage:
    return email.message_from_bytes(data, policy=policy.default)


def parts(message: EmailMessage) -> tuple[str, str]:
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    return text.get_content().replace("\r\n", "\n"), html.get_content().replace("\r\n", "\n")


def lines(data: bytes) -> list[bytes]:
    assert data.endswith(b"\r\n")
    found = data[:-2].split(b"\r\n")
    assert not any(b"\r" in line or b"\n" in line for line in found), "a bare CR or LF"
    return found


def test_headers_and_parts_read_back_as_given():
    headers = [
        ("From", formataddr(("Café Zoë", "news@shop.example"))),
        ("To", "ada@example.com"),
        ("Subject", "Zoë, the spring edit is here"),
        ("List-Id", "Café Best Shop <cmp_1.shop.example>"),
        ("X-SES-MESSAGE-TAGS", "kind=campaign, campaign_id=cmp_1"),
    ]
    message = parsed(mime.alternative(headers, TEXT, HTML))
    assert [(name, str(message[name])) for name, _ in headers] == [
        ("From", "Café Zoë <news@shop.example>"),
        *headers[1:],
    ]
    assert message.get_content_type() == "multipart/alternative"
    assert parts(message) == (TEXT, HTML)


def test_ascii_words_stay_as_they_are_and_only_non_ascii_ones_are_encoded():
    raw = mime.alternative([("List-Id", "Café Best Shop <cmp_1.shop.example>")], "", "").decode()
    assert re.match(r"List-Id: =\?utf-8\?b\?[A-Za-z0-9+/=]+\?= Best Shop <cmp_1\.shop\.example>\r\n", raw)


def test_a_long_ascii_header_stays_on_one_line_up_to_998_octets_and_is_folded_at_a_space_past_it():
    url = "<https://marketing.test/unsubscribe/?token=" + "t" * 400 + ">"
    one_line = mime.alternative([("List-Unsubscribe", f"{url}, <mailto:x@unsubscribe.shop.example>")], "", "")
    assert f"List-Unsubscribe: {url}, <mailto:x@unsubscribe.shop.example>\r\n".encode() in one_line
    long = " ".join(["word" * 30] * 20)  # 2,419 characters
    data = mime.alternative([("X-Note", long)], "", "")
    assert all(len(line) <= mime.LINE_LIMIT for line in lines(data))
    assert str(parsed(data)["X-Note"]) == long


@pytest.mark.parametrize(
    "subject",
    [
        "Grüße aus Köln " * 20,  # long: folded, and its words cut into several encoded words
        "日本語のメール、春のセール" * 8,  # multi-byte characters: never cut inside one
        "é  é",  # spaces between non-ASCII words are kept
        "a é b",
        "🎉 Sale",
    ],
)
def test_a_non_ascii_subject_reads_back_whole_in_lines_of_at_most_76(subject):
    data = mime.alternative([("Subject", subject.strip())], "", "")
    head = data.split(b"\r\n\r\n", 1)[0]
    assert head.isascii()
    assert all(len(line) <= mime.ENCODED_LINE_LIMIT for line in lines(head + b"\r\n") if b"=?utf-8?" in line)
    assert str(parsed(data)["Subject"]) == subject.strip()


@given(st.text(st.characters(exclude_categories=["Cc", "Cs", "Zl", "Zp"]), max_size=300))
def test_any_header_value_reads_back_as_given(value):
    value = value.strip()  # a parser drops the white space at either end
    assume("=?" not in value)  # an ASCII word is written as it is, one written as an encoded word too
    data = mime.alternative([("Subject", value)], "", "")
    assert data.split(b"\r\n\r\n", 1)[0].isascii()
    assert str(parsed(data)["Subject"]) == value


@pytest.mark.parametrize("value", ["a\r\nBcc: x@example.com", "a\nb", "a\rb"])
def test_a_header_with_a_line_break_is_refused(value):
    with pytest.raises(ValueError, match="line break"):
        mime.alternative([("Subject", value)], "", "")


def test_bodies_are_7bit_8bit_or_quoted_printable_in_crlf_lines_of_at_most_998_octets():
    long_line = "<p>" + "x" * 3000 + " é</p>"  # minified HTML: one line longer than SMTP allows
    data = mime.alternative([("Subject", "s")], "plain ascii\r\nlines\rend", TEXT + long_line)
    message = parsed(data)
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text["Content-Transfer-Encoding"] == "7bit"
    assert html["Content-Transfer-Encoding"] == "quoted-printable"
    assert parts(message) == ("plain ascii\nlines\nend", TEXT + long_line)
    html_body = data.split(b"quoted-printable\r\n\r\n", 1)[1].split(b"\r\n--=_", 1)[0] + b"\r\n"
    assert max(len(line) for line in lines(html_body)) <= 76  # quoted-printable's own limit
    assert max(len(line) for line in lines(data)) <= mime.LINE_LIMIT
    utf8 = parsed(mime.alternative([("Subject", "s")], TEXT, HTML)).get_body(("plain",))
    assert utf8["Content-Transfer-Encoding"] == "8bit"


def test_the_boundary_occurs_in_neither_part(monkeypatch):
    chosen = iter(["a" * 32, "b" * 32])
    monkeypatch.setattr(mime.secrets, "token_hex", lambda _: next(chosen))
    text = "--=_" + "a" * 32 + "\n"  # a text that holds the first boundary drawn
    data = mime.alternative([("Subject", "s")], text, HTML)
    assert b'boundary="=_' + b"b" * 32 + b'"' in data
    assert parts(parsed(data)) == (text, HTML)
