"""Each function's role grants what its catalog entry's `Uses` declares and nothing more (that the
declarations match the code is tests/unit/functions/test_least_privilege.py); and the API function
runs on SnapStart only when asked."""

from __future__ import annotations

import json

import pytest
from aws_cdk.assertions import Template

from infra.constructs.data import READ_ACTIONS
from marketing.catalog.api_routes import API_USES
from marketing.catalog.tables import TABLES
from marketing.catalog.topology import QUEUES, SCHEDULES, WORKERS, Uses
from tests.infra.conftest import SYNTH_CONTEXT

# POWERTOOLS_SERVICE_NAME of each function (infra/constructs/workers.py, api.py) -> its declaration.
DECLARED: dict[str, Uses] = {
    "api": API_USES,
    **{worker.name: worker.uses for worker in WORKERS},
    **{f"{schedule.name}-schedule": schedule.uses for schedule in SCHEDULES},
}


def _functions(template: Template) -> dict[str, dict]:
    """The platform's functions by service name (CDK's helper functions run no Powertools)."""
    return {
        variables["POWERTOOLS_SERVICE_NAME"]: function["Properties"]
        for function in template.find_resources("AWS::Lambda::Function").values()
        if "POWERTOOLS_SERVICE_NAME"
        in (variables := function["Properties"].get("Environment", {}).get("Variables", {}))
    }


def _statements(template: Template, function: dict) -> list[dict]:
    """Every statement of every policy attached to the function's role, inline or managed."""
    role = function["Role"]["Fn::GetAtt"][0]
    policies = {**template.find_resources("AWS::IAM::Policy"), **template.find_resources("AWS::IAM::ManagedPolicy")}
    return [
        statement
        for policy in policies.values()
        if {"Ref": role} in policy["Properties"].get("Roles", [])
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]


def _actions(statement: dict) -> set[str]:
    actions = statement["Action"]
    return {actions} if isinstance(actions, str) else set(actions)


def _granted(template: Template, service: str, prefix: str, resources: dict[str, str]) -> dict[str, set[str]]:
    """The actions starting with `prefix` the function may take on each of `resources` (a name ->
    the resource's logical id), by name."""
    granted: dict[str, set[str]] = {}
    for statement in _statements(template, _functions(template)[service]):
        actions = {action for action in _actions(statement) if action.startswith(prefix)}
        for name, logical_id in resources.items():
            if actions and f'"{logical_id}"' in json.dumps(statement["Resource"]):
                granted.setdefault(name, set()).update(actions)
    return granted


def _named_by_environment(template: Template, service: str, env_vars: list[str]) -> dict[str, str]:
    """The logical ids of the resources (tables, queues) the function's environment names by `Ref`."""
    variables = _functions(template)[service]["Environment"]["Variables"]
    return {env_var: variables[env_var]["Ref"] for env_var in env_vars}


def _tables(template: Template, service: str) -> dict[str, set[str]]:
    return _granted(template, service, "dynamodb:", _named_by_environment(template, service, list(TABLES.values())))


@pytest.mark.parametrize("service", DECLARED)
def test_a_function_may_touch_only_the_tables_it_declares_and_write_only_those_it_writes(template, service):
    uses = DECLARED[service]
    granted = _tables(template, service)
    assert set(granted) == uses.tables
    assert {table for table, actions in granted.items() if "dynamodb:PutItem" in actions} == uses.writes
    for table in uses.reads:
        assert granted[table] == set(READ_ACTIONS), table


def test_the_gift_card_expiry_cannot_touch_contacts_nor_the_ses_events_worker_gift_cards(template):
    assert set(_tables(template, "gift-card-expiry-schedule")) == {"GIFT_CARDS_TABLE"}
    ses_events = _tables(template, "ses-events")
    assert "CONTACTS_TABLE" in ses_events
    assert not {"GIFT_CARDS_TABLE", "GIFT_CARD_TRANSACTIONS_TABLE"} & set(ses_events)


@pytest.mark.parametrize("service", DECLARED)
def test_a_function_sends_only_to_the_queues_it_declares_and_its_own_dead_letters(template, service):
    own = [worker.queue.dlq_env_var for worker in WORKERS if worker.name == service]
    queues = _named_by_environment(
        template, service, [queue.env_var for queue in QUEUES] + [queue.dlq_env_var for queue in QUEUES]
    )
    sends = {
        env_var
        for env_var, actions in _granted(template, service, "sqs:", queues).items()
        if "sqs:SendMessage" in actions
    }
    assert sends == {queue.env_var for queue in DECLARED[service].sends_to} | set(own)


@pytest.mark.parametrize(
    ("secret", "flags"),
    [
        ("TokenSigningKey", ("signs_links", "hashes_addresses")),
        ("GiftCardCodeKey", ("derives_gift_card_codes",)),
    ],
)
def test_only_functions_that_declare_a_key_may_read_it(template, secret, flags):
    [logical_id] = [name for name in template.find_resources("AWS::SecretsManager::Secret") if name.startswith(secret)]
    readers = {
        service
        for service in DECLARED
        if _granted(template, service, "secretsmanager:GetSecretValue", {secret: logical_id})
    }
    assert readers == {service for service, uses in DECLARED.items() if any(getattr(uses, flag) for flag in flags)}
    assert readers  # the check looked at real grants


@pytest.mark.parametrize("service", DECLARED)
def test_a_function_gets_the_state_machine_actions_it_declares(template, service):
    statements = _statements(template, _functions(template)[service])
    actions = {action for statement in statements for action in _actions(statement) if action.startswith("states:")}
    calls = DECLARED[service].automation_calls
    assert ("states:StartExecution" in actions) == ("start" in calls)
    assert ("states:SendTaskSuccess" in actions) == ("answer" in calls)
    assert ("states:StopExecution" in actions) == ("stop" in calls)
    assert ("states:DescribeExecution" in actions) == ("describe" in calls)


def test_roles_need_no_managed_overflow_policies(template):
    # Only the staff roles' policies are managed ones: every function's grants fit its inline policy.
    managed = template.find_resources("AWS::IAM::ManagedPolicy")
    assert all("StaffRoles" in name for name in managed), list(managed)


def test_the_arn_size_cdk_estimates_covers_the_longest_arn_of_the_stack(synthesized, template):
    """CDK splits a role's policy when its size, each ARN counted at cdk.json's estimate, passes
    IAM's limit: the estimate must cover the longest ARN a grant names, or a policy CDK kept inline
    could be refused at deploy. CloudFormation names a table or queue `<stack>-<logical id>-<13
    characters>`; the longest region name has 14 characters."""
    stack = synthesized[0]
    named = ("AWS::DynamoDB::Table", "AWS::SQS::Queue")
    logical_id = max(
        (name for name, resource in template.to_json()["Resources"].items() if resource["Type"] in named), key=len
    )
    longest = len(
        f"arn:aws:dynamodb:ap-southeast-2:123456789012:table/{stack.stack_name}-{logical_id}-{'x' * 13}/index/*"
    )
    assert longest <= SYNTH_CONTEXT["@aws-cdk/aws-iam.arnSizeEstimate"], longest


def _api_integration_target(template: Template) -> dict:
    [integration] = template.find_resources("AWS::ApiGatewayV2::Integration").values()
    return integration["Properties"]["IntegrationUri"]


def test_the_api_runs_without_snapstart_by_default(template):
    assert "SnapStart" not in _functions(template)["api"]
    template.resource_count_is("AWS::Lambda::Alias", 0)
    assert _api_integration_target(template)["Fn::GetAtt"][1] == "Arn"


@pytest.fixture
def snap_started(variant_template) -> Template:
    """apiSnapStart on (tests/infra/conftest.py: VARIANT_CONTEXT)."""
    return variant_template


def test_apisnapstart_turns_snapstart_on_and_the_api_calls_the_alias_of_a_published_version(snap_started):
    api = _functions(snap_started)["api"]
    assert api["SnapStart"] == {"ApplyOn": "PublishedVersions"}
    [(alias_id, alias)] = snap_started.find_resources("AWS::Lambda::Alias").items()
    assert alias["Properties"]["FunctionVersion"]["Fn::GetAtt"][1] == "Version"
    assert _api_integration_target(snap_started) == {"Ref": alias_id}
    # API Gateway may invoke the alias; the workers stay on $LATEST, without SnapStart.
    permissions = snap_started.find_resources("AWS::Lambda::Permission")
    assert any(
        p["Properties"]["FunctionName"] == {"Ref": alias_id}
        and p["Properties"]["Principal"] == "apigateway.amazonaws.com"
        for p in permissions.values()
    )
    assert [name for name, function in _functions(snap_started).items() if "SnapStart" in function] == ["api"]


def test_only_the_inbound_unsubscribes_worker_reads_the_stored_emails_and_only_those(template):
    bucket = _named_by_environment(template, "inbound-unsubscribes", ["INBOUND_MAIL_BUCKET"])["INBOUND_MAIL_BUCKET"]
    readers = {}
    for service in DECLARED:
        for statement in _statements(template, _functions(template)[service]):
            if f'"{bucket}"' in json.dumps(statement["Resource"]):
                readers.setdefault(service, []).append((_actions(statement), statement["Resource"]))
    assert set(readers) == {service for service, uses in DECLARED.items() if uses.reads_inbound_mail}
    assert readers["inbound-unsubscribes"] == [
        ({"s3:GetObject"}, {"Fn::Join": ["", [{"Fn::GetAtt": [bucket, "Arn"]}, "/unsubscribe/*"]]})
    ]
