"""Loyalty points: the signed-in customer's own account (customer), the program and accounts (staff)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from api.routes.params import PageCursor, PageLimit
from api.security import CUSTOMER, STAFF
from marketing.auth import Principal
from marketing.growth.models.loyalty import (
    AdjustedAccount,
    LoyaltyAccount,
    LoyaltyTransactionPage,
    PointsAdjustment,
    PointsRedemption,
    RedeemPoints,
)
from marketing.growth.models.programs import LoyaltyProgram, LoyaltyProgramPatch
from marketing.growth.services import loyalty as service

router = APIGatewayHttpRouter()
UserId = Annotated[str, Path(description="The shop's user id (the `sub` of the customer's token)")]


def _me() -> str:
    principal: Principal = router.context["principal"]
    return principal.id


@router.get("/loyalty/account/", summary="My points balance", security=CUSTOMER, tags=["customer"])
def my_account() -> LoyaltyAccount:
    return service.account(_me())


@router.get("/loyalty/transactions/", summary="My points history, newest first", security=CUSTOMER, tags=["customer"])
def my_transactions(limit: PageLimit = None, cursor: PageCursor = None) -> LoyaltyTransactionPage:
    return service.transactions_page(_me(), limit, cursor)


@router.post("/loyalty/redeem/", summary="Turn points into a discount", security=CUSTOMER, tags=["customer"])
def redeem(body: Annotated[RedeemPoints, Body()]) -> PointsRedemption:
    return service.redeem(_me(), body)


@router.get("/loyalty/program/", summary="Loyalty program settings", security=STAFF, tags=["loyalty"])
def get_program() -> LoyaltyProgram:
    return service.program()


@router.patch("/loyalty/program/", summary="Change loyalty program settings", security=STAFF, tags=["loyalty"])
def update_program(body: Annotated[LoyaltyProgramPatch, Body()]) -> LoyaltyProgram:
    return service.update_program(body)


@router.get("/loyalty/accounts/<user_id>/", summary="A customer's points account", security=STAFF, tags=["loyalty"])
def get_account(user_id: UserId) -> LoyaltyAccount:
    return service.account(user_id)


@router.post(
    "/loyalty/accounts/<user_id>/adjust/",
    summary="Add or take off points, with a reason",
    security=STAFF,
    tags=["loyalty"],
)
def adjust(user_id: UserId, body: Annotated[PointsAdjustment, Body()]) -> AdjustedAccount:
    return service.adjust(user_id, body)
