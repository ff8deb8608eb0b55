"""Referrals: the signed-in customer's code and applying a friend's (customer); all referrals and
the program (staff)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from api.routes.params import PageCursor, PageLimit
from api.security import CUSTOMER, STAFF
from marketing.growth.models.programs import ReferralProgram, ReferralProgramPatch
from marketing.growth.models.referrals import (
    ApplyReferral,
    MyReferralCode,
    ReferralAsReferee,
    ReferralPage,
    ReferralStatus,
)
from marketing.growth.services import referrals as service

router = APIGatewayHttpRouter()


@router.get("/referrals/my-code/", summary="My referral code and referrals", security=CUSTOMER, tags=["customer"])
def my_code() -> MyReferralCode:
    return service.my_code(router.context["principal"])


@router.post(
    "/referrals/", summary="Apply a friend's referral code", security=CUSTOMER, tags=["customer"], status_code=201
)
def apply_code(body: Annotated[ApplyReferral, Body()]) -> ReferralAsReferee:
    return service.apply(router.context["principal"], body)


@router.get("/referrals/", summary="All referrals, newest first", security=STAFF, tags=["referrals"])
def list_referrals(
    status: Annotated[ReferralStatus | None, Query(description="Only referrals with this status")] = None,
    limit: PageLimit = None,
    cursor: PageCursor = None,
) -> ReferralPage:
    return service.list_page(status, limit, cursor)


@router.get("/referrals/program/", summary="Referral program settings", security=STAFF, tags=["referrals"])
def get_program() -> ReferralProgram:
    return service.program()


@router.patch("/referrals/program/", summary="Change referral program settings", security=STAFF, tags=["referrals"])
def update_program(body: Annotated[ReferralProgramPatch, Body()]) -> ReferralProgram:
    return service.update_program(body)
