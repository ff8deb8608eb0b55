"""The MIME of a marketing email, a multipart/alternative of a text and an HTML part, written
directly: the email package parses every header it is given again and folds it again on output,
which cost more than rendering the email (bench/compose.py).

What it writes, as RFC 5322, 2045 and 2047 ask:
- CRLF line endings, no line longer than 998 octets: a longer header is folded at its spaces; a
  body is 7bit or 8bit (UTF-8, RFC 6152: SES and every mailbox provider take it) where its lines
  fit, quoted-printable (lines of at most 76) where one does not;
- a header's non-ASCII words as encoded words (UTF-8, base64, whole characters in each), the
  header then folded at RFC 2047's 76 characters. Its ASCII words stay as they are, so the
  `<id>` of List-Id and the URLs of List-Unsubscribe are never encoded: RFC 2369 does not allow
  it, and mailbox providers then do not read the one-click link (and a From is given ASCII, as
  `email.utils.formataddr` writes it). An ASCII header is folded only past 998 characters: a URL
  is one word longer than 78;
- a header value with a line break is refused: it would start a header of its own.
"""

from __future__ import annotations

import binascii
import secrets
from collections.abc import Iterable
from functools import lru_cache

LINE_LIMIT = 998  # octets in a line, CRLF not counted
ENCODED_LINE_LIMIT = 76  # characters in a line of a header with encoded words (RFC 2047)
# UTF-8 bytes in an encoded word: 44 characters in base64, 56 with its markers, so a header's first
# line holds its name and one word within the limit.
_WORD_BYTES = 33


def _encoded_words(text: str) -> list[str]:
    data = text.encode()
    words, start = [], 0
    while start < len(data):
        end = min(start + _WORD_BYTES, len(data))
        while end < len(data) and data[end] & 0xC0 == 0x80:  # not inside a character
            end -= 1
        words.append(f"=?utf-8?b?{binascii.b2a_base64(data[start:end], newline=False).decode()}?=")
        start = end
    return words


def _header_words(value: str) -> list[str]:
    """`value`'s words (split at spaces), each run of non-ASCII ones as encoded words. A reader
    drops the spaces between two encoded words, so a run's own spaces go inside its words."""
    words: list[str] = []
    run: list[str] = []
    for word in value.split(" "):
        if not word.isascii() or (run and not word):
            run.append(word)
            continue
        if run:
            words.extend(_encoded_words(" ".join(run)))
            run = []
        words.append(word)
    if run:
        words.extend(_encoded_words(" ".join(run)))
    return words


def _header(name: str, value: str) -> str:
    if "\r" in value or "\n" in value:
        raise ValueError(f"the {name} header holds a line break")
    line = f"{name}: {value}"
    if value.isascii() and len(line) <= LINE_LIMIT:
        return line
    return _folded(name, value)


@lru_cache(maxsize=64)  # the same From and List-Id for every email of a mailing
def _folded(name: str, value: str) -> str:
    limit = LINE_LIMIT if value.isascii() else ENCODED_LINE_LIMIT
    lines, line = [], f"{name}:"
    for word in _header_words(value):
        if word and len(line) + 1 + len(word) > limit and line != f"{name}:":
            lines.append(line)
            line = ""  # the folded line starts with the space before the word
        line += " " + word
    return "\r\n".join([*lines, line])


def _body(content: str) -> tuple[str, bytes]:
    """The transfer encoding and the bytes of a part holding `content`, in CRLF lines."""
    lines = content.replace("\r\n", "\n").replace("\r", "\n") if "\r" in content else content
    data = lines.encode()
    if max(map(len, data.split(b"\n"))) <= LINE_LIMIT:
        return "7bit" if lines.isascii() else "8bit", data.replace(b"\n", b"\r\n")
    # With LF line ends, soft line breaks are LFs too (CRLF ends are taken from the first line only).
    return "quoted-printable", binascii.b2a_qp(data, istext=True).replace(b"\n", b"\r\n")


def alternative(headers: Iterable[tuple[str, str]], text: str, html: str) -> bytes:
    """The email with `headers` (name, value; in this order) and `text` and `html` as the two
    alternatives of its body."""
    parts = [(subtype, *_body(content)) for subtype, content in (("plain", text), ("html", html))]
    boundary = f"=_{secrets.token_hex(16)}"  # "=_" never occurs in quoted-printable
    while any(boundary.encode() in body for _, _, body in parts):  # in another body: only if it was made to
        boundary = f"=_{secrets.token_hex(16)}"
    head = [_header(name, value) for name, value in headers]
    head += ["MIME-Version: 1.0", f'Content-Type: multipart/alternative; boundary="{boundary}"', ""]
    chunks = ["\r\n".join(head).encode()]
    for subtype, encoding, body in parts:
        chunks.append(
            f'\r\n--{boundary}\r\nContent-Type: text/{subtype}; charset="utf-8"\r\n'
            f"Content-Transfer-Encoding: {encoding}\r\n\r\n".encode()
        )
        chunks.append(body)
    chunks.append(f"\r\n--{boundary}--\r\n".encode())
    return b"".join(chunks)
