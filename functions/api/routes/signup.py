"""The public signup form and its double opt-in confirmation (audience/services/signups.py).

The confirmation link opens a page whose button subscribes; the page's script presses it at once,
so a person's one click in the email confirms, while a mail scanner that only fetches the link
(they all GET it, few run scripts and none should submit forms) leaves the signup pending.
"""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from api import pages
from api.callers import address_and_agent
from marketing.audience.models.signups import SignupAccepted, SignupRequest, asked_for
from marketing.audience.services import signups
from marketing.audience.services.signups import Confirmed
from marketing.tokens import InvalidToken

router = APIGatewayHttpRouter()
TAGS = ["signup"]
Token = Annotated[str, Query(description="Signed token from the confirmation email")]


@router.post(
    "/signup/",
    summary="Sign up for the newsletter (the shop's website form)",
    description="Public. Answers 202 and the same body for every address, known or not. Sends a double opt-in "
    "email: the subscription starts when its link is followed (valid 7 days). 429 past "
    "10 signups an hour from one caller. The `website` field is a honeypot: leave it out.",
    tags=TAGS,
    status_code=202,
)
def sign_up(body: Annotated[SignupRequest, Body()]) -> SignupAccepted:
    return signups.sign_up(body, *address_and_agent(router))


@router.get("/signup/confirm/", summary="Confirmation page (the double opt-in email's link)", tags=TAGS)
def confirmation_page(token: Token):
    try:
        signup = signups.pending(token)
    except InvalidToken:
        return pages.response(pages.invalid_link(), 400)
    if signup is None:
        return pages.response(pages.confirmation_expired(), 404)
    if signup.confirmed_at is not None:
        return pages.response(pages.subscription_confirmed(signup.email))
    return pages.response(pages.confirm_signup(signup.email, asked_for(signup.preferences), pages.same_page(token)))


@router.post("/signup/confirm/", summary="Confirm a signup (the confirmation page's button)", tags=TAGS)
def confirm(token: Token):
    try:
        outcome, signup = signups.confirm(token, *address_and_agent(router))
    except InvalidToken:
        return pages.response(pages.invalid_link(), 400)
    if outcome == Confirmed.EXPIRED or signup is None:
        return pages.response(pages.confirmation_expired(), 404)
    if outcome == Confirmed.REFUSED:
        return pages.response(pages.page("Not subscribed", "<p>We can no longer send email to this address.</p>"), 409)
    return pages.response(pages.subscription_confirmed(signup.email))
