"""Who is calling, as the consent log records it: the request's IP address and user agent (API
Gateway's, which a client cannot set), and the principal's part in a change."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from marketing.audience.models.consents import ConsentContext, ConsentMethod


def address_and_agent(router: APIGatewayHttpRouter) -> tuple[str | None, str | None]:
    http = router.current_event.request_context.http
    return http.source_ip or None, http.user_agent or None


def staff_change(router: APIGatewayHttpRouter) -> ConsentContext:
    """A change staff made through the API or the console."""
    ip_address, user_agent = address_and_agent(router)
    return ConsentContext(ConsentMethod.STAFF, f"staff:{router.context['principal'].id}", None, ip_address, user_agent)


def subscriber_change(router: APIGatewayHttpRouter, method: ConsentMethod, actor: str = "subscriber") -> ConsentContext:
    """A change the person made themselves, through a link in an email or the shop's app."""
    ip_address, user_agent = address_and_agent(router)
    return ConsentContext(method, actor, None, ip_address, user_agent)
