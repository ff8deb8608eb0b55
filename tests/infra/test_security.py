"""Security properties of the synthesized template: what traces keep, who reads the API's
documentation, and whose address the functions may send email from."""

from __future__ import annotations

import json

import pytest
from aws_cdk import Stack
from aws_cdk import aws_sqs as sqs

from infra.constructs.email import EmailSending
from marketing.catalog.api_routes import BASE_PATH

SENDER_DOMAIN = "example.com"  # of the default senderAddress, news@example.com (infra/config.py)


def _platform_functions(template) -> dict[str, dict]:
    """The platform's own functions (CDK's helper functions run no Powertools)."""
    return {
        name: function
        for name, function in template.find_resources("AWS::Lambda::Function").items()
        if "POWERTOOLS_SERVICE_NAME" in function["Properties"].get("Environment", {}).get("Variables", {})
    }


def _statements(template) -> list[dict]:
    policies = {**template.find_resources("AWS::IAM::Policy"), **template.find_resources("AWS::IAM::ManagedPolicy")}
    return [
        statement for policy in policies.values() for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _actions(statement: dict) -> list[str]:
    actions = statement.get("Action", [])
    return [actions] if isinstance(actions, str) else actions


def test_no_function_puts_its_responses_or_errors_in_traces(template):
    functions = _platform_functions(template)
    handlers = {function["Properties"]["Handler"] for function in functions.values()}
    assert "api.app.lambda_handler" in handlers
    for function in functions.values():
        env = function["Properties"]["Environment"]["Variables"]
        assert env["POWERTOOLS_TRACER_CAPTURE_RESPONSE"] == "false", function["Properties"]["Handler"]
        assert env["POWERTOOLS_TRACER_CAPTURE_ERROR"] == "false", function["Properties"]["Handler"]


def test_the_documentation_routes_require_iam(template):
    routes = {
        route["Properties"]["RouteKey"]: route["Properties"]
        for route in template.find_resources("AWS::ApiGatewayV2::Route").values()
    }
    for path in ("/docs", "/openapi.json"):
        assert routes[f"GET {BASE_PATH}{path}"].get("AuthorizationType") == "AWS_IAM", path


def test_functions_send_email_only_from_the_sender_domain_through_the_configuration_set(template):
    sends = [statement for statement in _statements(template) if "ses:SendEmail" in _actions(statement)]
    # The API (test sends, double opt-in), campaign and automation delivery, shop events (gift cards,
    # registrations' double opt-in), contact imports (re-permission emails).
    assert len(sends) == 5
    for statement in sends:
        assert statement["Condition"] == {"StringLike": {"ses:FromAddress": f"*@{SENDER_DOMAIN}"}}
        resources = json.dumps(statement["Resource"])
        assert f':identity/{SENDER_DOMAIN}"' in resources
        assert f':identity/*@{SENDER_DOMAIN}"' in resources
        assert ":configuration-set/" in resources
        assert ':identity/*"' not in resources  # not every identity of the account


@pytest.mark.parametrize("address", ["news", "news@", "@example.com"])
def test_a_sender_address_without_a_domain_fails_synth(address):
    stack = Stack()
    with pytest.raises(ValueError, match="senderAddress"):
        EmailSending(stack, "Email", sender_address=address, send_queue=sqs.Queue(stack, "Sends"))


def test_the_sender_domain_is_granted_in_lower_case_as_addresses_are_saved():
    """IAM compares ses:FromAddress case-sensitively, and saved addresses have lower-case domains."""
    stack = Stack()
    sending = EmailSending(stack, "Email", sender_address="News@Shop.EXAMPLE", send_queue=sqs.Queue(stack, "Sends"))
    assert sending.sender_domain == "shop.example"
