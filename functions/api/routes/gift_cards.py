"""Gift cards (staff; the shop's checkout redeems them with its own signed credentials)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from api.routes.params import PageCursor, PageLimit
from api.security import STAFF
from marketing.growth.models.gift_cards import (
    CreatedGiftCard,
    GiftCard,
    GiftCardCreate,
    GiftCardDetail,
    GiftCardLookup,
    GiftCardPage,
    GiftCardRedeem,
    GiftCardRedemption,
)
from marketing.growth.services import gift_cards as service

router = APIGatewayHttpRouter()
GiftCardId = Annotated[str, Path(description="Gift card id")]


@router.get("/gift-cards/", summary="List gift cards, newest first", security=STAFF, tags=["gift cards"])
def list_gift_cards(limit: PageLimit = None, cursor: PageCursor = None) -> GiftCardPage:
    return service.list_page(limit, cursor)


@router.post(
    "/gift-cards/",
    summary="Create a gift card (the code is shown once)",
    security=STAFF,
    tags=["gift cards"],
    status_code=201,
)
def create_gift_card(body: Annotated[GiftCardCreate, Body()]) -> CreatedGiftCard:
    return service.create(body)


@router.post("/gift-cards/lookup/", summary="Find a card by its code", security=STAFF, tags=["gift cards"])
def lookup_gift_card(body: Annotated[GiftCardLookup, Body()]) -> GiftCard:
    return service.lookup(body.code, router.context["principal"])


@router.get(
    "/gift-cards/<gift_card_id>/", summary="A gift card with its transactions", security=STAFF, tags=["gift cards"]
)
def get_gift_card(gift_card_id: GiftCardId) -> GiftCardDetail:
    return service.get(gift_card_id)


@router.post(
    "/gift-cards/<gift_card_id>/redeem/",
    summary="Pay for an order with the card (once per order)",
    security=STAFF,
    tags=["gift cards"],
)
def redeem_gift_card(gift_card_id: GiftCardId, body: Annotated[GiftCardRedeem, Body()]) -> GiftCardRedemption:
    return service.redeem(gift_card_id, body, router.context["principal"])


@router.post(
    "/gift-cards/<gift_card_id>/disable/",
    summary="Stop a card from being redeemed",
    security=STAFF,
    tags=["gift cards"],
)
def disable_gift_card(gift_card_id: GiftCardId) -> GiftCard:
    return service.disable(gift_card_id)
