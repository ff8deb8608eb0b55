"""The signed-in customer, as the API sees them: lets a shop's app check its token set-up."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from api.security import CUSTOMER
from marketing.audience.models.principal import Me
from marketing.auth import Principal

router = APIGatewayHttpRouter()


@router.get("/me/", summary="The signed-in customer", security=CUSTOMER, tags=["customer"])
def who_am_i() -> Me:
    principal: Principal = router.context["principal"]
    return Me(user_id=principal.id, email=principal.email)
