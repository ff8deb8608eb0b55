"""The HTTP API's route table: method, path and who may call it.

One table serves three readers so they cannot drift apart: CDK creates one API Gateway route per
entry with the matching authorizer, the local gateway authenticates requests the same way, and
the API function re-checks the caller against the entry and includes the entry's router on the
first request for it (tests assert the function's routes and this table are the same set). What
each staff role may call derives from it too (staff_roles.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from marketing.auth import Access
from marketing.catalog.topology import (
    AUTOMATION_SENDS,
    CAMPAIGN_DELIVERIES,
    CAMPAIGN_SENDS,
    CONTACT_IMPORTS,
    OPENS,
    SEGMENT_REFRESH,
    Uses,
)

BASE_PATH = "/api/v1/marketing"


# Requests per second per route, by who calls it: API Gateway throttles each route (CDK context can
# change these) and the local gateway answers 429 the same way.
RATE_LIMITS: dict[Access, int] = {Access.PUBLIC: 100, Access.CUSTOMER: 50, Access.STAFF: 50}
CODE_RATE_LIMIT = 20


@dataclass(frozen=True)
class ApiRoute:
    method: str
    path: str  # below BASE_PATH, with `{name}` parameters, trailing slash as in the SPEC
    access: Access
    # Takes a gift-card or referral code (or a card id) someone could try to guess: API Gateway
    # throttles it lower than the rest, besides the service's own limit on failed guesses.
    takes_code: bool = False
    # Staff-only in AWS, but local mode's gateway serves it unsigned, as the local staff user: the
    # SPEC's local contract has Swagger UI open in a browser, and a browser cannot sign requests.
    open_locally: bool = False
    # Moves contacts' personal data in or out of the platform in bulk: a contact's complete export, or
    # an import, whose answers carry a pre-signed upload URL (a GET of one too, until the file has
    # arrived: whoever reads it can write). Only the marketing manager role may call it (staff_roles).
    transfers_data: bool = False
    # Takes an HTML form's body (application/x-www-form-urlencoded) rather than JSON: the pages
    # behind an email's links. Every other route with a body takes JSON only (a 415 otherwise).
    takes_form: bool = False

    def rate_limit(self, limits: Mapping[Access, int] | None = None, code_limit: int = CODE_RATE_LIMIT) -> int:
        """Requests per second this route takes (burst: twice that), by its class."""
        if self.takes_code:
            return code_limit
        return (limits or RATE_LIMITS)[self.access]

    @property
    def router(self) -> str | None:
        """The module under the API's `api.routes` whose router serves this route (None: the app
        itself serves it, the documentation). A router serves whole first path segments, so
        routers included in any order never shadow each other's routes."""
        return ROUTER_OF_RESOURCE.get(self.path.split("/")[1])

    @property
    def full_path(self) -> str:
        """The path clients call (the SPEC's, with its trailing slash)."""
        return BASE_PATH + self.path

    @property
    def gateway_path(self) -> str:
        """The path of the API Gateway route. HTTP APIs refuse route paths ending in "/" and send
        both `/x` and `/x/` to route `/x`, so the deployed route drops the trailing slash."""
        return self.full_path.rstrip("/")

    @property
    def route_key(self) -> str:
        """API Gateway's routeKey for this route, as it appears in the Lambda event."""
        return f"{self.method} {self.gateway_path}"

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.gateway_path))
        return re.compile(f"^{regex}/?$")

    def canonical_path(self, raw_path: str) -> str:
        """`raw_path` with the trailing slash the SPEC's path has, however the client wrote it."""
        if self.path.endswith("/") and not raw_path.endswith("/"):
            return raw_path + "/"
        return raw_path


S, C, P = Access.STAFF, Access.CUSTOMER, Access.PUBLIC

# First segment of a route's path -> the router module serving every route below it.
ROUTER_OF_RESOURCE: dict[str, str] = {
    "templates": "templates",
    "contacts": "contacts",
    "segments": "segments",
    "subscribers": "subscribers",
    "campaigns": "campaigns",
    "automations": "automations",
    "analytics": "analytics",
    "loyalty": "loyalty",
    "referrals": "referrals",
    "gift-cards": "gift_cards",
    "track": "public",
    "unsubscribe": "public",
    "preferences": "public",
    "signup": "signup",
    "me": "me",
}

ROUTES: tuple[ApiRoute, ...] = (
    ApiRoute("GET", "/openapi.json", S, open_locally=True),
    ApiRoute("GET", "/docs", S, open_locally=True),
    ApiRoute("GET", "/templates/", S),
    ApiRoute("POST", "/templates/", S),
    ApiRoute("GET", "/templates/{template_id}/", S),
    ApiRoute("PATCH", "/templates/{template_id}/", S),
    ApiRoute("DELETE", "/templates/{template_id}/", S),
    ApiRoute("POST", "/templates/{template_id}/preview/", S),
    ApiRoute("POST", "/templates/{template_id}/test-send/", S),
    ApiRoute("GET", "/contacts/", S),
    ApiRoute("POST", "/contacts/", S),
    ApiRoute("POST", "/contacts/imports/", S, transfers_data=True),
    ApiRoute("GET", "/contacts/imports/{import_id}/", S, transfers_data=True),
    ApiRoute("POST", "/contacts/imports/{import_id}/confirmations/", S),
    ApiRoute("GET", "/contacts/{contact_id}/", S),
    ApiRoute("PATCH", "/contacts/{contact_id}/", S),
    ApiRoute("DELETE", "/contacts/{contact_id}/", S),
    ApiRoute("GET", "/contacts/{contact_id}/export/", S, transfers_data=True),
    ApiRoute("GET", "/contacts/{contact_id}/consents/", S),
    ApiRoute("GET", "/segments/", S),
    ApiRoute("POST", "/segments/", S),
    ApiRoute("GET", "/segments/{segment_id}/", S),
    ApiRoute("PATCH", "/segments/{segment_id}/", S),
    ApiRoute("DELETE", "/segments/{segment_id}/", S),
    ApiRoute("POST", "/segments/{segment_id}/refresh/", S),
    ApiRoute("GET", "/segments/{segment_id}/contacts/", S),
    ApiRoute("GET", "/subscribers/", S),
    ApiRoute("POST", "/subscribers/", C),
    ApiRoute("GET", "/subscribers/me/preferences/", C),
    ApiRoute("PATCH", "/subscribers/me/preferences/", C),
    ApiRoute("GET", "/subscribers/{subscriber_id}/", S),
    ApiRoute("PATCH", "/subscribers/{subscriber_id}/", S),
    ApiRoute("DELETE", "/subscribers/{subscriber_id}/", S),
    ApiRoute("GET", "/subscribers/{subscriber_id}/preferences/", S),
    ApiRoute("PATCH", "/subscribers/{subscriber_id}/preferences/", S),
    ApiRoute("GET", "/campaigns/", S),
    ApiRoute("POST", "/campaigns/", S),
    ApiRoute("GET", "/campaigns/{campaign_id}/", S),
    ApiRoute("PATCH", "/campaigns/{campaign_id}/", S),
    ApiRoute("DELETE", "/campaigns/{campaign_id}/", S),
    ApiRoute("POST", "/campaigns/{campaign_id}/send/", S),
    ApiRoute("POST", "/campaigns/{campaign_id}/schedule/", S),
    ApiRoute("POST", "/campaigns/{campaign_id}/cancel/", S),
    ApiRoute("POST", "/campaigns/{campaign_id}/pause/", S),
    ApiRoute("POST", "/campaigns/{campaign_id}/resume/", S),
    ApiRoute("POST", "/campaigns/{campaign_id}/test-send/", S),
    ApiRoute("POST", "/campaigns/{campaign_id}/retry-failed/", S),
    ApiRoute("GET", "/campaigns/{campaign_id}/recipients/", S),
    ApiRoute("GET", "/campaigns/{campaign_id}/analytics/", S),
    ApiRoute("GET", "/campaigns/{campaign_id}/analytics/timeline/", S),
    ApiRoute("GET", "/campaigns/{campaign_id}/analytics/links/", S),
    ApiRoute("GET", "/automations/", S),
    ApiRoute("POST", "/automations/", S),
    ApiRoute("GET", "/automations/{automation_id}/", S),
    ApiRoute("PATCH", "/automations/{automation_id}/", S),
    ApiRoute("DELETE", "/automations/{automation_id}/", S),
    ApiRoute("POST", "/automations/{automation_id}/activate/", S),
    ApiRoute("POST", "/automations/{automation_id}/pause/", S),
    ApiRoute("GET", "/automations/{automation_id}/executions/", S),
    ApiRoute("GET", "/automations/{automation_id}/analytics/", S),
    ApiRoute("GET", "/automations/{automation_id}/analytics/timeline/", S),
    ApiRoute("GET", "/analytics/overview/", S),
    ApiRoute("GET", "/analytics/campaigns/", S),
    ApiRoute("GET", "/analytics/audience/", S),
    ApiRoute("GET", "/loyalty/account/", C),
    ApiRoute("GET", "/loyalty/transactions/", C),
    ApiRoute("POST", "/loyalty/redeem/", C),
    ApiRoute("GET", "/loyalty/program/", S),
    ApiRoute("PATCH", "/loyalty/program/", S),
    ApiRoute("GET", "/loyalty/accounts/{user_id}/", S),
    ApiRoute("POST", "/loyalty/accounts/{user_id}/adjust/", S),
    ApiRoute("GET", "/referrals/my-code/", C),
    ApiRoute("POST", "/referrals/", C, takes_code=True),
    ApiRoute("GET", "/referrals/", S),
    ApiRoute("GET", "/referrals/program/", S),
    ApiRoute("PATCH", "/referrals/program/", S),
    ApiRoute("GET", "/gift-cards/", S),
    ApiRoute("POST", "/gift-cards/", S),
    ApiRoute("POST", "/gift-cards/lookup/", S, takes_code=True),
    ApiRoute("GET", "/gift-cards/{gift_card_id}/", S),
    ApiRoute("POST", "/gift-cards/{gift_card_id}/redeem/", S, takes_code=True),
    ApiRoute("POST", "/gift-cards/{gift_card_id}/disable/", S),
    ApiRoute("GET", "/track/open/{token}/", P),
    ApiRoute("GET", "/track/click/{token}/", P),
    ApiRoute("GET", "/unsubscribe/", P),
    ApiRoute("POST", "/unsubscribe/", P, takes_form=True),
    ApiRoute("GET", "/preferences/", P),
    ApiRoute("POST", "/preferences/", P, takes_form=True),
    ApiRoute("POST", "/signup/", P),
    ApiRoute("GET", "/signup/confirm/", P),
    ApiRoute("POST", "/signup/confirm/", P, takes_form=True),
    ApiRoute("GET", "/me/", C),
)

# What the API function may touch: the union over its routers (one function serves them all).
API_USES = Uses(
    writes=frozenset(
        {
            "ACTIVITY_TABLE",  # opens, clicks, unsubscribes and subscriptions, by time (the charts)
            "TEMPLATES_TABLE",
            "LINKS_TABLE",
            "CONTACTS_TABLE",
            "CONTACT_EMAILS_TABLE",
            "CONTACT_IMPORTS_TABLE",
            "SUBSCRIBERS_TABLE",
            "CONSENT_LOG_TABLE",
            "SIGNUPS_TABLE",  # double opt-ins waiting for their confirmation
            "DO_NOT_EMAIL_TABLE",  # written by erasure, checked by every subscribe
            "ORDERS_TABLE",  # a contact's erasure and export
            "CARTS_TABLE",
            "SEGMENTS_TABLE",
            "SEGMENT_MEMBERS_TABLE",
            "CAMPAIGNS_TABLE",
            "CAMPAIGN_RECIPIENTS_TABLE",
            "FAILED_ATTEMPTS_TABLE",  # failed guesses of gift-card codes; signups per caller and address
            "AUTOMATIONS_TABLE",
            "AUTOMATION_EMAIL_STATS_TABLE",
            "AUTOMATION_EXECUTIONS_TABLE",
            "PROGRAMS_TABLE",
            "LOYALTY_ACCOUNTS_TABLE",
            "LOYALTY_TRANSACTIONS_TABLE",
            "REFERRALS_TABLE",
            "REFERRAL_CODES_TABLE",
            "GIFT_CARDS_TABLE",
            "GIFT_CARD_TRANSACTIONS_TABLE",
        }
    ),
    sends_to=(SEGMENT_REFRESH, CAMPAIGN_SENDS, CAMPAIGN_DELIVERIES, AUTOMATION_SENDS, CONTACT_IMPORTS, OPENS),
    automation_calls=frozenset({"stop", "answer"}),  # erasure stops a contact's runs
    sends_email=True,  # test sends; double opt-in emails
    checks_senders=True,
    signs_links=True,
    hashes_addresses=True,
    derives_gift_card_codes=True,  # staff create, look up and redeem cards
    uploads_imports=True,
    schedules_campaigns=True,
)

_BY_KEY = {route.route_key: route for route in ROUTES}


def route_for_key(route_key: str) -> ApiRoute | None:
    return _BY_KEY.get(route_key)


# API Gateway picks the most specific route: literal paths before ones with parameters.
_BY_SPECIFICITY = sorted(ROUTES, key=lambda route: route.path.count("{"))


def match(method: str, path: str) -> tuple[ApiRoute, dict[str, str]] | None:
    """The route serving `method path` and its path parameters, as API Gateway would pick it."""
    for route in _BY_SPECIFICITY:
        if route.method == method:
            found = route.pattern.match(path)
            if found:
                return route, found.groupdict()
    return None


def with_canonical_path(event: dict) -> dict:
    """The event with rawPath in the SPEC's form, so `/templates` and `/templates/` route alike."""
    route = route_for_key(event.get("routeKey", ""))
    if route is not None and "rawPath" in event:
        event["rawPath"] = route.canonical_path(event["rawPath"])
    return event
