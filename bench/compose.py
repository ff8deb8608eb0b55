"""What composing one marketing email costs in CPU, beside a plain Jinja2 render of the same
template compiled once, measured side by side in one run (issue 20, item 5).

The template is a ~5 KB newsletter with 12 links and merge fields. Composing it is everything an
email gets on the delivery path: subject, HTML and text rendered in the sandbox, the written links
rewritten to signed click links, the open pixel, the footer (postal address, why, unsubscribe and
preference links), the List-Unsubscribe, List-Id and Feedback-ID headers, and the MIME bytes. It is
measured with a text part of its own, with its text derived from its HTML (a marketer wrote only
HTML: the API's default; rendered from the HTML's text template, services/derived_text.py), and
derived from the same HTML with its merge fields filled in once (an HTML the same for everyone,
whose text is derived once per container). The plain render is of the
template with merge fields. The links' registration (one write per template version per container,
store/links.py) is left out: it is not a cost per email.

Each round composes --emails emails and renders the plain template as often, the two back to back,
and takes the process's CPU time (not wall time: the machine may be busy) for each; the figures are
the medians over --rounds rounds. Targets: <= 1 ms of CPU per email, <= 10x the plain render.

    .venv/bin/python bench/compose.py [--emails 2000] [--rounds 7]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO_ROOT / "layers" / "shared" / "python"), str(REPO_ROOT / "bench")]

from jinja2 import Environment  # noqa: E402
from summary import figure  # noqa: E402

from marketing.email.links import EmailLinks  # noqa: E402
from marketing.email.models.templates import EmailTemplate, TemplateCategory  # noqa: E402
from marketing.email.services import email_message  # noqa: E402
from marketing.email.store import links as link_store  # noqa: E402
from marketing.tokens import KeyRing, SigningKeys, TokenSigner  # noqa: E402

TARGET_MS, TARGET_RATIO = 1.0, 10.0
# The functions' memory, read from infra/config.py's text: importing it starts the CDK's Node.js.
LAMBDA_MEMORY_MB = int(
    re.search(r"^LAMBDA_MEMORY_MB = (\d+)", (REPO_ROOT / "infra" / "config.py").read_text(), re.M)[1]
)
LAMBDA_MB_PER_VCPU = 1769  # Lambda gives a function CPU in proportion to its memory: 1 vCPU at 1,769 MB
BASE_URL = "https://marketing.example/api/v1/marketing"
PRODUCTS = [
    ("Linen shirt", "linen-shirt", "49.00"),
    ("Canvas tote", "canvas-tote", "19.00"),
    ("Leather belt", "leather-belt", "35.00"),
]
PRODUCT = """
<tr><td class="product" style="padding:16px;border-bottom:1px solid #eeeeee">
  <a href="https://shop.example/products/{slug}?utm_source=newsletter&amp;utm_medium=email">
    <img src="https://cdn.shop.example/img/{slug}.jpg" width="160" height="160" alt="{name}"
      style="display:block;border:0;border-radius:4px"></a>
  <h2 style="font-size:18px;margin:12px 0 4px">{name}</h2>
  <p style="margin:0 0 12px;color:#555555">Made to last, and
    {{{{ "just right" if order_count else "a good first buy" }}}} for you, {{{{ first_name|default("friend") }}}}.
    Now &pound;{price}.</p>
  <a class="button" href="https://shop.example/cart/add/{slug}"
    style="display:inline-block;padding:10px 18px;background:#1d4ed8;color:#ffffff;text-decoration:none">Add to
    cart</a>
</td></tr>"""
HTML = (
    """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{{ shop_name }}: the spring edit</title>
<style>body{margin:0;background:#f4f4f4;font-family:Helvetica,Arial,sans-serif}
.wrap{max-width:600px;margin:0 auto;background:#ffffff}.product h2{color:#111111}
.button:hover{background:#1e40af}@media (max-width:620px){.wrap{width:100%!important}}</style></head>
<body><table class="wrap" role="presentation" width="600" cellpadding="0" cellspacing="0">
<tr><td style="padding:24px;text-align:center">
  <a href="https://shop.example/?utm_source=newsletter"><img src="https://cdn.shop.example/logo.png" width="120"
    alt="{{ shop_name }}" style="border:0"></a></td></tr>
<tr><td style="padding:0 24px">
  <h1 style="font-size:26px;margin:0 0 8px">Hello {{ first_name|default("there") }}, the spring edit is here</h1>
  <p style="font-size:16px;line-height:1.5;margin:0 0 16px">Fresh colours, lighter fabrics and a few old favourites
  back in stock. {% if order_count > 2 %}As one of our regulars you get free delivery on everything this week.
  {% elif order_count %}Thank you for your order: here is what is new since then.{% else %}Your first order ships
  free.{% endif %}</p>
  <p style="margin:0 0 16px"><a href="https://shop.example/spring?utm_source=newsletter"
    style="color:#1d4ed8">See the whole spring collection</a></p>
</td></tr>"""
    + "".join(PRODUCT.format(name=name, slug=slug, price=price) for name, slug, price in PRODUCTS)
    + """
<tr><td style="padding:24px">
  <h2 style="font-size:18px">From the journal</h2>
  <p style="color:#333333;line-height:1.5">This month we visited the mill in Flanders that weaves our linen, spoke to
  the people who have run its looms for thirty years, and came home with a few ideas for the autumn.</p>
  <p><a href="https://shop.example/journal/caring-for-linen">Caring for linen: five habits that make it last</a></p>
  <p><a href="https://shop.example/journal/packing-light">Packing light for a long weekend</a></p>
  {% if tags %}<p style="color:#555555">Picked for you because you follow {{ tags|join(", ") }}.</p>{% endif %}
  <p style="color:#555555">You have spent &pound;{{ lifetime_value }} with us so far. Questions? Reply to this
  email: a person reads every answer.</p>
</td></tr>
<tr><td style="padding:16px 24px;text-align:center;font-size:13px">
  <a href="https://instagram.com/shop.example">Instagram</a> &middot;
  <a href="https://www.facebook.com/shop.example">Facebook</a> &middot;
  <a href="{{ preferences_url }}">Choose what we send you</a>
</td></tr>
</table></body></html>
"""
)
TEXT = """Hello {{ first_name|default("there") }}, the spring edit is here

Fresh colours, lighter fabrics and a few old favourites back in stock.
{% if order_count > 2 %}As one of our regulars you get free delivery on everything this week.{% endif %}

See the whole spring collection: https://shop.example/spring?utm_source=newsletter
{% for name, slug, price in [("Linen shirt", "linen-shirt", "49.00"), ("Canvas tote", "canvas-tote", "19.00"),
  ("Leather belt", "leather-belt", "35.00")] %}
{{ name }}, now £{{ price }}: https://shop.example/products/{{ slug }}
{%- endfor %}

From the journal: https://shop.example/journal/caring-for-linen
"""
CONTACT = {
    "first_name": "Zoë",
    "last_name": "Lovelace",
    "email": "zoe@example.com",
    "lifecycle_stage": "customer",
    "order_count": 3,
    "lifetime_value": "123.45",
    "tags": ["linen", "travel"],
}
NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def template(html: str, text: str) -> EmailTemplate:
    return EmailTemplate(
        id="tpl_bench",
        name="Spring edit",
        category=TemplateCategory.NEWSLETTER,
        subject="{{ first_name }}, the spring edit is here",
        html_content=html,
        text_content=text,
        created_at=NOW,
        updated_at=NOW,
    )


def composer(mail_template: EmailTemplate) -> Callable[[], object]:
    links = EmailLinks(TokenSigner(SigningKeys(lambda: KeyRing(b"k" * 32, None))), BASE_URL)
    envelope = email_message.Envelope(
        "cmp_bench", "con_bench", "zoe@example.com", "Shop Éxample", "news@shop.example", "help@shop.example"
    )
    subscribed = email_message.Subscribed(date(2025, 11, 2), "website")
    return lambda: email_message.compose(
        mail_template,
        CONTACT,
        envelope,
        links,
        "Shop Éxample",
        BASE_URL,
        postal_address="1 High Street, Leeds LS1 1AA, United Kingdom",
        subscribed=subscribed,
    )


def plain_renderer() -> Callable[[], str]:
    compiled = Environment().from_string(HTML)  # noqa: S701 - the reference: what Jinja2 alone costs
    context = email_message.merge_fields(CONTACT, f"{BASE_URL}/unsubscribe/", f"{BASE_URL}/preferences/", "Shop")
    return lambda: compiled.render(context)


def cpu_seconds_each(work: Callable[[], object], times: int) -> float:
    started = time.process_time()
    for _ in range(times):
        work()
    return (time.process_time() - started) / times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--emails", type=int, default=2000, help="emails composed per round")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    link_store.register = lambda urls: None  # once per template version per container: not per email

    plain = plain_renderer()
    composers = {
        "own text": composer(template(HTML, TEXT)),
        "derived text": composer(template(HTML, "")),
        "derived, same HTML": composer(template(plain(), "")),
    }
    for work in (plain, *composers.values()):
        work()  # first use: imports, the links' registration, anything cached per container
    written = len(re.findall(r"href=\"https://", HTML))
    print(
        f"template: {len(HTML.encode())} bytes of HTML, {written} links written in it; "
        f"{args.rounds} rounds of {args.emails} emails, CPU time per email, median of the rounds"
    )
    plain_rounds: list[float] = []
    compose_rounds: dict[str, list[float]] = {name: [] for name in composers}
    for _ in range(args.rounds):  # side by side: each round measures all of them, one after the other
        plain_rounds.append(cpu_seconds_each(plain, args.emails))
        for name, work in composers.items():
            compose_rounds[name].append(cpu_seconds_each(work, args.emails))

    plain_ms = statistics.median(plain_rounds) * 1000
    vcpus = LAMBDA_MEMORY_MB / LAMBDA_MB_PER_VCPU
    print(f"{'':<30} {'ms CPU':>8} {'x plain':>8} {'emails/s per vCPU':>18} {f'at {LAMBDA_MEMORY_MB} MB':>10}")
    print(f"{'plain Jinja2 render':<30} {plain_ms:>8.3f} {1:>8.1f}")
    worst_ms = worst_ratio = 0.0
    for name, rounds in compose_rounds.items():
        compose_ms = statistics.median(rounds) * 1000
        ratio = compose_ms / plain_ms
        worst_ms, worst_ratio = max(worst_ms, compose_ms), max(worst_ratio, ratio)
        rate = 1000 / compose_ms
        print(f"{'compose, ' + name:<30} {compose_ms:>8.3f} {ratio:>8.1f} {rate:>18.0f} {rate * vcpus:>10.0f}")
    figure("compose: CPU per email, worst case", f"{worst_ms:.3f} ms", f"<= {TARGET_MS:g} ms", worst_ms <= TARGET_MS)
    figure(
        "compose: x a plain Jinja2 render, worst case",
        f"{worst_ratio:.1f}x",
        f"<= {TARGET_RATIO:g}x",
        worst_ratio <= TARGET_RATIO,
    )
    print(
        f"compose per email: at most {worst_ms:.3f} ms of CPU (target <= {TARGET_MS:g} ms: "
        f"{'met' if worst_ms <= TARGET_MS else 'missed'}), {worst_ratio:.1f}x a plain Jinja2 render "
        f"(target <= {TARGET_RATIO:g}x: {'met' if worst_ratio <= TARGET_RATIO else 'missed'}); one delivery "
        f"function composes {1000 / worst_ms * vcpus:.0f} emails/s at {LAMBDA_MEMORY_MB} MB "
        f"({1000 / worst_ms:.0f} per vCPU)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
