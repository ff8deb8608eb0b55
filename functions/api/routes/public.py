"""Public routes reached from emails: no login, every link carries a signed token.

A bad token never reveals anything: the pixel is a pixel whatever the token, a forged click is a
400 with no redirect, and the footer pages say only that the link is not valid.
"""

from __future__ import annotations

import base64
from typing import Annotated
from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from api import pages
from api.callers import subscriber_change
from marketing import config
from marketing.audience.models.consents import ConsentMethod
from marketing.audience.models.subscriber_requests import PreferencesPatch
from marketing.email.links import PREFERENCES, UNSUBSCRIBE
from marketing.email.services import tracking
from marketing.tokens import InvalidToken

router = APIGatewayHttpRouter()
TAGS = ["email links"]
Token = Annotated[str, Query(description="Signed token from the email")]
PathToken = Annotated[str, Path(description="Signed token from the email")]
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
ONE_CLICK = ("List-Unsubscribe", "One-Click")


def _form() -> dict[str, list[str]]:
    return parse_qs(router.current_event.decoded_body or "", keep_blank_values=True)


def _preference_centre(token: str, audience: tracking.Audience, saved: bool) -> str:
    return pages.preference_centre(
        audience.email,
        audience.subscribed,
        audience.preferences,
        pages.same_page(token),
        saved,
        ask_tracking=config.tracking_consent_required(),
        tracking_consent=audience.tracking_consent,
    )


@router.get("/track/open/<token>/", summary="Open pixel", tags=TAGS, response_description="A 1×1 GIF, always")
def track_open(token: PathToken):
    tracking.record_open(token)
    return Response(200, "image/gif", PIXEL, headers=pages.NO_STORE)


@router.get(
    "/track/click/<token>/",
    summary="Click tracking",
    description="302 to the link written in the email's template that the token names; 400 and no redirect for "
    "any other token, or for a URL that is not a link written in a template.",
    tags=TAGS,
    responses={302: {"description": "Redirect to the original link"}, 400: {"description": "Not a valid link"}},
)
def track_click(token: PathToken):
    try:
        url = tracking.record_click(token)
    except InvalidToken:
        return pages.response(pages.invalid_link(), 400)
    return Response(302, content_types.TEXT_PLAIN, "", headers={"Location": url, **pages.NO_STORE})


@router.get("/unsubscribe/", summary="Unsubscribe page", tags=TAGS)
def unsubscribe_page(token: Token):
    try:
        audience = tracking.audience(UNSUBSCRIBE, token)
    except InvalidToken:
        return pages.response(pages.invalid_link(), 400)
    if audience is None:
        return pages.response(pages.no_subscription())
    return pages.response(pages.confirm_unsubscribe(audience.email, pages.same_page(token)))


@router.post(
    "/unsubscribe/",
    summary="One-click unsubscribe (RFC 8058)",
    description="Body `List-Unsubscribe=One-Click` (form-encoded). Idempotent.",
    tags=TAGS,
)
def unsubscribe(token: Token):
    form = _form()
    if ONE_CLICK[1] not in form.get(ONE_CLICK[0], []):
        return pages.response(
            pages.page("Not unsubscribed", "<p>The request did not say List-Unsubscribe=One-Click.</p>"), 400
        )
    method = (
        ConsentMethod.UNSUBSCRIBE_PAGE if pages.VIA_PAGE in form.get(pages.VIA_FIELD, []) else ConsentMethod.ONE_CLICK
    )
    try:
        audience = tracking.unsubscribe(token, subscriber_change(router, method))
    except InvalidToken:
        return pages.response(pages.invalid_link(), 400)
    if audience is None:
        return pages.response(pages.no_subscription())
    return pages.response(pages.unsubscribed(audience.email))


@router.get("/preferences/", summary="Preference centre", tags=TAGS)
def preference_page(token: Token):
    try:
        audience = tracking.audience(PREFERENCES, token)
    except InvalidToken:
        return pages.response(pages.invalid_link(), 400)
    if audience is None:
        return pages.response(pages.no_subscription())
    return pages.response(_preference_centre(token, audience, False))


@router.post("/preferences/", summary="Save preferences from the preference centre form", tags=TAGS)
def save_preferences(token: Token):
    form = _form()
    consent = pages.TRACKING_FIELD in form if pages.TRACKING_ASKED in form else None  # a form without the box keeps it
    patch = PreferencesPatch(
        promotional="promotional" in form, newsletter="newsletter" in form, tracking_consent=consent
    )
    try:
        audience = tracking.update_preferences(token, patch, subscriber_change(router, ConsentMethod.PREFERENCE_CENTRE))
    except InvalidToken:
        return pages.response(pages.invalid_link(), 400)
    if audience is None:
        return pages.response(pages.no_subscription())
    return pages.response(_preference_centre(token, audience, True))
