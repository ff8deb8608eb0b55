"""Subscribers and email preferences: staff manage any; a customer manages their own."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from api.callers import address_and_agent, staff_change, subscriber_change
from api.routes.params import PageCursor, PageLimit
from api.security import CUSTOMER, STAFF
from marketing.audience.models.consents import ConsentMethod
from marketing.audience.models.signups import SignupAccepted
from marketing.audience.models.subscriber_requests import (
    PreferencesPatch,
    SubscribeRequest,
    SubscriberPage,
    SubscriberPatch,
)
from marketing.audience.models.subscribers import Preferences, Subscriber, SubscriberStatus
from marketing.audience.services import signups
from marketing.audience.services import subscribers as service

router = APIGatewayHttpRouter()
SubscriberId = Annotated[str, Path(description="Subscriber id")]
TAGS = ["subscribers"]


@router.get("/subscribers/", summary="List subscribers", security=STAFF, tags=TAGS)
def list_subscribers(
    limit: PageLimit = None,
    cursor: PageCursor = None,
    status: Annotated[SubscriberStatus | None, Query(description="Only subscribers in this status")] = None,
    email: Annotated[str | None, Query(max_length=254, description="The subscriber of this address (any case)")] = None,
) -> SubscriberPage:
    return service.list_page(limit, cursor, status, email)


@router.post(
    "/subscribers/",
    summary="Subscribe the signed-in customer",
    description="201 and the subscriber, or, where the shop asks customers to confirm (double opt-in policy), "
    "202: a confirmation email is on its way and the subscription starts when its link is followed.",
    security=CUSTOMER,
    tags=TAGS,
    status_code=201,
    responses={
        201: {"description": "Subscribed", "content": {"application/json": {"model": Subscriber}}},
        202: {"description": "Confirmation email sent", "content": {"application/json": {"model": SignupAccepted}}},
    },
)
def subscribe(body: Annotated[SubscribeRequest, Body()] = None):
    ip_address, user_agent = address_and_agent(router)
    result = signups.subscribe_customer(router.context["principal"], body or SubscribeRequest(), ip_address, user_agent)
    status = 202 if isinstance(result, SignupAccepted) else 201
    return Response(status, content_types.APPLICATION_JSON, result.model_dump_json())


@router.get(
    "/subscribers/me/preferences/", summary="The signed-in customer's preferences", security=CUSTOMER, tags=TAGS
)
def own_preferences() -> Preferences:
    return service.own_preferences(router.context["principal"])


@router.patch(
    "/subscribers/me/preferences/", summary="Change the signed-in customer's preferences", security=CUSTOMER, tags=TAGS
)
def update_own_preferences(body: Annotated[PreferencesPatch, Body()]) -> Preferences:
    principal = router.context["principal"]
    how = subscriber_change(router, ConsentMethod.CUSTOMER_ACCOUNT, f"customer:{principal.id}")
    return service.update_own_preferences(principal, body, how)


@router.get("/subscribers/<subscriber_id>/", summary="Get a subscriber", security=STAFF, tags=TAGS)
def get_subscriber(subscriber_id: SubscriberId) -> Subscriber:
    return service.get(subscriber_id)


@router.patch("/subscribers/<subscriber_id>/", summary="Change status or preferences", security=STAFF, tags=TAGS)
def update_subscriber(subscriber_id: SubscriberId, body: Annotated[SubscriberPatch, Body()]) -> Subscriber:
    return service.update(subscriber_id, body, staff_change(router))


@router.delete("/subscribers/<subscriber_id>/", summary="Unsubscribe (idempotent)", security=STAFF, tags=TAGS)
def unsubscribe(subscriber_id: SubscriberId) -> Subscriber:
    return service.unsubscribe(subscriber_id, staff_change(router))


@router.get(
    "/subscribers/<subscriber_id>/preferences/", summary="A subscriber's preferences", security=STAFF, tags=TAGS
)
def get_preferences(subscriber_id: SubscriberId) -> Preferences:
    return service.preferences(subscriber_id)


@router.patch(
    "/subscribers/<subscriber_id>/preferences/", summary="Change a subscriber's preferences", security=STAFF, tags=TAGS
)
def update_preferences(subscriber_id: SubscriberId, body: Annotated[PreferencesPatch, Body()]) -> Preferences:
    return service.update_preferences(subscriber_id, body, staff_change(router))
