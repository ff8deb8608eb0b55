"""Assertions on the synthesized CloudFormation template."""

from __future__ import annotations

import json

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_sqs as sqs
from aws_cdk.assertions import Match
from cfnlint.api import ManualArgs, lint_file

from infra.app import build_app
from infra.config import DOUBLE_OPT_IN_CONTEXT, StackSettings
from infra.constructs.email import EmailSending
from infra.constructs.layer import REPO_ROOT
from marketing.auth import Access
from marketing.catalog.api_routes import ROUTES
from marketing.catalog.tables import TABLES
from marketing.catalog.topology import AUTOMATION_STATE_MACHINE, QUEUES, SCHEDULES, SES_EVENTS, WORKERS


def test_every_table_is_on_demand_encrypted_and_recoverable(template):
    tables = template.find_resources("AWS::DynamoDB::Table")
    assert len(tables) == len(TABLES)
    for table in tables.values():
        props = table["Properties"]
        assert props["BillingMode"] == "PAY_PER_REQUEST"
        assert props["SSESpecification"]["SSEEnabled"] is True
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
        assert props["DeletionProtectionEnabled"] is True
        assert table["DeletionPolicy"] == "Retain"


def test_the_templates_table_has_the_models_keys_and_index(template):
    template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
            "GlobalSecondaryIndexes": [
                Match.object_like(
                    {
                        "IndexName": "by_created",
                        "KeySchema": Match.array_with(
                            [
                                {"AttributeName": "listing", "KeyType": "HASH"},
                                {"AttributeName": "created_at", "KeyType": "RANGE"},
                            ]
                        ),
                    }
                )
            ],
        },
    )


def test_the_api_function_runs_python_312_on_arm64_with_the_layer_and_tracing(template):
    functions = template.find_resources("AWS::Lambda::Function", {"Properties": {"Handler": "api.app.lambda_handler"}})
    (api,) = functions.values()
    props = api["Properties"]
    assert props["Runtime"] == "python3.12"
    assert props["Architectures"] == ["arm64"]
    assert props["TracingConfig"] == {"Mode": "Active"}
    assert len(props["Layers"]) == 1
    env = props["Environment"]["Variables"]
    assert {"TEMPLATES_TABLE", "TOKEN_SECRET_NAME", "PUBLIC_BASE_URL", "POWERTOOLS_SERVICE_NAME"} <= set(env)
    template.has_resource_properties(
        "AWS::Lambda::LayerVersion", {"CompatibleRuntimes": ["python3.12"], "CompatibleArchitectures": ["arm64"]}
    )


def test_one_route_per_table_entry_with_the_authorizer_of_its_access_class(template):
    routes = {
        props["Properties"]["RouteKey"]: props["Properties"]
        for props in template.find_resources("AWS::ApiGatewayV2::Route").values()
    }
    assert set(routes) == {route.route_key for route in ROUTES}
    expected = {Access.STAFF: "AWS_IAM", Access.CUSTOMER: "JWT", Access.PUBLIC: "NONE"}
    for route in ROUTES:
        assert routes[route.route_key].get("AuthorizationType", "NONE") == expected[route.access], route


def test_the_jwt_authorizer_takes_issuer_and_audience_from_context(template):
    template.has_resource_properties(
        "AWS::ApiGatewayV2::Authorizer",
        {
            "AuthorizerType": "JWT",
            "JwtConfiguration": {"Issuer": "https://idp.shop.test/", "Audience": ["shop-app"]},
        },
    )


def test_the_stage_logs_access_and_throttles(template):
    template.has_resource_properties(
        "AWS::ApiGatewayV2::Stage",
        {
            "StageName": "$default",
            "AutoDeploy": True,
            "AccessLogSettings": Match.object_like({"Format": Match.string_like_regexp("requestId")}),
            "DefaultRouteSettings": Match.object_like({"ThrottlingRateLimit": 200, "ThrottlingBurstLimit": 400}),
        },
    )


def test_the_api_function_may_only_touch_its_tables_and_secret(template):
    # CDK moves what does not fit a role's inline policy into managed "overflow" policies.
    policies = {**template.find_resources("AWS::IAM::Policy"), **template.find_resources("AWS::IAM::ManagedPolicy")}
    statements = [
        statement for policy in policies.values() for statement in policy["Properties"]["PolicyDocument"]["Statement"]
    ]
    actions = {
        action
        for statement in statements
        for action in (statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]])
    }
    assert not any(action.endswith(":*") for action in actions)
    assert "dynamodb:DeleteTable" not in actions
    assert {"dynamodb:PutItem", "secretsmanager:GetSecretValue"} <= actions


def test_cfn_lint_finds_no_errors_or_warnings(synthesized):
    _, template_path, _ = synthesized
    matches = lint_file(template_path, ManualArgs(ignore_checks=["W3005"], regions=["eu-west-2"]))
    assert [str(match) for match in matches] == []


def test_an_unacknowledged_nag_finding_fails_synth(tmp_path):
    """The nag gate is real: a queue without a DLQ or TLS enforcement must stop the synth."""
    app, stack = build_app(context={"aws:cdk:bundling-stacks": [], "stackName": "NagProbe"}, outdir=str(tmp_path))
    sqs.Queue(Stack.of(stack), "UnsafeQueue")
    with pytest.raises(RuntimeError, match="AwsSolutions-SQS3"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    assert "AwsSolutions-SQS3" in json.dumps(report)


def test_every_queue_has_a_dead_letter_queue_and_every_worker_reports_partial_failures(template):
    queues = template.find_resources("AWS::SQS::Queue")
    with_dlq = [queue for queue in queues.values() if "RedrivePolicy" in queue["Properties"]]
    assert len(with_dlq) == len(QUEUES)
    assert len(queues) == 2 * len(QUEUES)
    assert sorted(queue["Properties"]["RedrivePolicy"]["maxReceiveCount"] for queue in with_dlq) == sorted(
        queue.max_receive_count for queue in QUEUES
    )
    mappings = template.find_resources("AWS::Lambda::EventSourceMapping")
    assert len(mappings) == len(WORKERS)
    for mapping in mappings.values():
        assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    handlers = {props["Properties"]["Handler"] for props in template.find_resources("AWS::Lambda::Function").values()}
    assert {worker.handler for worker in WORKERS} | {schedule.handler for schedule in SCHEDULES} <= handlers


def test_shop_events_are_routed_from_the_custom_bus_to_the_queue(template):
    template.resource_count_is("AWS::Events::EventBus", 1)
    template.has_resource_properties(
        "AWS::Events::Rule",
        {
            "EventBusName": Match.any_value(),
            "EventPattern": {
                "source": ["shop"],
                "detail-type": [
                    "contact.upserted",
                    "user.registered",
                    "order.paid",
                    "order.refunded",
                    "cart.updated",
                    "cart.abandoned",
                ],
            },
            "Targets": [Match.object_like({"DeadLetterConfig": Match.any_value()})],
        },
    )


def test_dynamic_segments_are_refreshed_daily_at_two(template):
    template.has_resource_properties("AWS::Events::Rule", {"ScheduleExpression": "cron(0 2 * * ? *)"})


def test_uploads_to_the_imports_bucket_notify_the_import_queue(template):
    template.has_resource_properties(
        "Custom::S3BucketNotifications",
        {
            "NotificationConfiguration": {
                "QueueConfigurations": [
                    Match.object_like(
                        {
                            "Events": ["s3:ObjectCreated:*"],
                            "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "imports/"}]}},
                        }
                    )
                ]
            }
        },
    )
    template.has_resource_properties(
        "AWS::S3::Bucket",
        {"PublicAccessBlockConfiguration": Match.object_like({"BlockPublicAcls": True, "RestrictPublicBuckets": True})},
    )


def test_ses_events_reach_their_queue_from_the_default_bus_through_the_configuration_set(template):
    template.has_resource_properties(
        "AWS::SES::ConfigurationSetEventDestination",
        {
            "EventDestination": Match.object_like(
                {
                    "Enabled": True,
                    "MatchingEventTypes": ["send", "delivery", "bounce", "complaint", "reject", "open", "click"],
                    "EventBridgeDestination": {"EventBusArn": Match.any_value()},
                }
            )
        },
    )
    template.has_resource_properties(
        "AWS::Events::Rule",
        {
            "EventPattern": {"source": ["aws.ses"], "detail-type": Match.array_with(["Email Bounced"])},
            "Targets": [Match.object_like({"DeadLetterConfig": Match.any_value()})],
        },
    )
    rule = next(
        rule
        for rule in template.find_resources("AWS::Events::Rule").values()
        if rule["Properties"].get("EventPattern", {}).get("source") == ["aws.ses"]
    )
    assert rule["Properties"]["EventBusName"] == "default"  # the only bus SES publishes to


def test_ses_events_come_in_batches_of_a_hundred_within_ten_seconds(template):
    # A batch's deliveries of one mailing are one write: Lambda takes more than SQS's 10 at once
    # only with a batching window, and the queue then hides a message for the window as well.
    template.has_resource_properties(
        "AWS::Lambda::EventSourceMapping", {"BatchSize": 100, "MaximumBatchingWindowInSeconds": 10}
    )
    assert SES_EVENTS.visibility_timeout_seconds >= 6 * 30 + 10


def test_only_email_senders_may_send_and_the_delivery_worker_is_paced(template):
    # One recipients' batch per invocation, four at once: a campaign's batches go side by side.
    template.has_resource_properties(
        "AWS::Lambda::EventSourceMapping",
        {"BatchSize": 1, "ScalingConfig": {"MaximumConcurrency": 4}},
    )
    policies = {**template.find_resources("AWS::IAM::Policy"), **template.find_resources("AWS::IAM::ManagedPolicy")}
    senders = [
        name
        for name, policy in policies.items()
        if any(
            "ses:SendRawEmail" in json.dumps(statement)
            for statement in policy["Properties"]["PolicyDocument"]["Statement"]
        )
    ]
    # The API (test sends, double opt-in emails), the campaign and automation delivery workers, the
    # shop-events worker (the gift cards an order bought, registrations' double opt-in) and the
    # contact-import worker (re-permission emails).
    assert len(senders) == 5


def test_campaign_schedules_have_a_group_a_role_and_public_links_their_own_throttle(template):
    template.resource_count_is("AWS::Scheduler::ScheduleGroup", 1)
    template.has_resource_properties(
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": Match.object_like(
                {"Statement": [Match.object_like({"Principal": {"Service": "scheduler.amazonaws.com"}})]}
            )
        },
    )
    stage = next(iter(template.find_resources("AWS::ApiGatewayV2::Stage").values()))
    route_settings = stage["Properties"]["RouteSettings"]
    assert set(route_settings) == {route.route_key for route in ROUTES}  # every route has its class's limit
    code_routes = {
        "POST /api/v1/marketing/gift-cards/{gift_card_id}/redeem",
        "POST /api/v1/marketing/gift-cards/lookup",
        "POST /api/v1/marketing/referrals",
    }
    expected = {Access.PUBLIC: 100, Access.CUSTOMER: 50, Access.STAFF: 50}
    for route in ROUTES:
        limit = route_settings[route.route_key]
        rate = 20 if route.route_key in code_routes else expected[route.access]
        assert (limit["ThrottlingRateLimit"], limit["ThrottlingBurstLimit"]) == (rate, 2 * rate), route.route_key


def test_the_automation_state_machine_is_the_files_definition_with_logging_and_tracing(template):
    [machine] = template.find_resources("AWS::StepFunctions::StateMachine").values()
    properties = machine["Properties"]
    assert properties["DefinitionString"] == (REPO_ROOT / AUTOMATION_STATE_MACHINE.definition_path).read_text()
    queue = properties["DefinitionSubstitutions"][AUTOMATION_STATE_MACHINE.queue_url_placeholder]
    assert queue["Ref"].startswith("MessagingAutomationSendsQueue")
    assert properties["StateMachineType"] == "STANDARD"
    assert properties["TracingConfiguration"] == {"Enabled": True}
    assert properties["LoggingConfiguration"]["Level"] == "ALL"
    assert properties["LoggingConfiguration"]["Destinations"][0]["CloudWatchLogsLogGroup"]["LogGroupArn"]


def test_automation_functions_may_run_the_state_machine_and_sweeps_run_every_15_minutes(template):
    policies = {**template.find_resources("AWS::IAM::Policy"), **template.find_resources("AWS::IAM::ManagedPolicy")}
    answering = [
        name
        for name, policy in policies.items()
        if "states:SendTaskSuccess" in json.dumps(policy["Properties"]["PolicyDocument"])
    ]
    functions = [*WORKERS, *SCHEDULES]
    assert len(answering) == sum("answer" in function.uses.automation_calls for function in functions) + 1  # the API
    for cron in ("cron(0/15 * * * ? *)", "cron(5/15 * * * ? *)"):
        template.has_resource_properties("AWS::Events::Rule", {"ScheduleExpression": cron})


def test_ledgers_are_keyed_by_account_and_idempotency_key_and_growth_runs_are_daily(template):
    for table_keys in (("user_id", "key"), ("gift_card_id", "key")):
        template.has_resource_properties(
            "AWS::DynamoDB::Table",
            {
                "KeySchema": [
                    {"AttributeName": table_keys[0], "KeyType": "HASH"},
                    {"AttributeName": table_keys[1], "KeyType": "RANGE"},
                ],
                "GlobalSecondaryIndexes": Match.array_with(
                    [
                        Match.object_like(
                            {"IndexName": "by_order", "KeySchema": [{"AttributeName": "order_id", "KeyType": "HASH"}]}
                        )
                    ]
                ),
            },
        )
    template.has_resource_properties(
        "AWS::DynamoDB::Table",
        {
            "KeySchema": [{"AttributeName": "key", "KeyType": "HASH"}],
            "TimeToLiveSpecification": {"AttributeName": "expires", "Enabled": True},
        },
    )
    for cron in ("cron(0 1 * * ? *)", "cron(0 3 * * ? *)", "cron(0 4 * * ? *)"):
        template.has_resource_properties("AWS::Events::Rule", {"ScheduleExpression": cron})


def test_the_dashboard_and_the_alarms_an_operator_needs(template):
    from infra.constructs.monitoring import BUSINESS_METRICS

    dashboard = json.dumps(next(iter(template.find_resources("AWS::CloudWatch::Dashboard").values())))
    for metric in [name for names in BUSINESS_METRICS.values() for name in names]:
        assert f'MetricName=\\\\\\"{metric}\\\\\\"' in dashboard or metric in dashboard, metric
    for title in (
        "Emails sent per minute",
        "Queue depth",
        "Oldest message age",
        "Dead-letter queues",
        "Function errors",
        "Function duration p95",
        "SES bounce and complaint rates",
    ):
        assert title in dashboard
    alarms = template.find_resources("AWS::CloudWatch::Alarm").values()
    topics = {json.dumps(alarm["Properties"]["AlarmActions"]) for alarm in alarms}
    assert len(topics) == 1  # every alarm notifies the one topic
    by_metric = {alarm["Properties"].get("MetricName"): alarm["Properties"] for alarm in alarms}
    assert by_metric["Reputation.BounceRate"]["Threshold"] == 0.02
    assert by_metric["Reputation.ComplaintRate"]["Threshold"] == 0.0008
    dlq_alarms = [
        alarm for alarm in alarms if alarm["Properties"].get("MetricName") == "ApproximateNumberOfMessagesVisible"
    ]
    age_alarms = [alarm for alarm in alarms if alarm["Properties"].get("MetricName") == "ApproximateAgeOfOldestMessage"]
    assert len(dlq_alarms) == len(age_alarms) == len(QUEUES)
    error_rates = [alarm for alarm in alarms if "Metrics" in alarm["Properties"]]
    assert len(error_rates) == 1 + len(WORKERS) + len(SCHEDULES)  # the API function, every worker and schedule
    template.has_resource_properties("AWS::SNS::Topic", {"KmsMasterKeyId": Match.any_value()})


def test_the_postal_address_and_transactional_sender_come_from_context():
    app = App(context={"shopPostalAddress": " 1 High St, Leeds ", "transactionalSenderAddress": "orders@shop.example"})
    settings = StackSettings.from_context(app)
    assert (settings.shop_postal_address, settings.transactional_sender_address) == (
        "1 High St, Leeds",
        "orders@shop.example",
    )
    unset = StackSettings.from_context(App())
    assert (unset.shop_postal_address, unset.transactional_sender_address) == (None, None)  # campaigns refused


def test_the_transactional_sender_is_on_the_senders_domain_the_only_one_sends_are_granted():
    stack = Stack()
    queue = sqs.Queue(stack, "Sends")
    email = EmailSending(
        stack,
        "Email",
        sender_address="news@shop.example",
        transactional_sender_address="orders@Shop.example",
        send_queue=queue,
    )
    assert email.environment()["TRANSACTIONAL_SENDER_ADDRESS"] == "orders@Shop.example"
    assert (
        "TRANSACTIONAL_SENDER_ADDRESS"
        not in EmailSending(stack, "Default", sender_address="news@shop.example", send_queue=queue).environment()
    )  # the functions fall back to the sender's address
    with pytest.raises(ValueError, match=r"on the sender's domain, shop\.example"):
        EmailSending(
            stack,
            "Other",
            sender_address="news@shop.example",
            transactional_sender_address="a@other.example",
            send_queue=queue,
        )


def test_mail_to_the_unsubscribe_domain_is_stored_in_a_private_expiring_bucket_that_notifies_its_queue(template):
    rule = template.find_resources("AWS::SES::ReceiptRule")
    assert len(rule) == 1
    (properties,) = (resource["Properties"] for resource in rule.values())
    assert properties["Rule"]["Recipients"] == ["unsubscribe.example.com"]  # the sender's domain by default
    assert properties["Rule"]["Enabled"] is True
    assert properties["Rule"]["ScanEnabled"] is True
    (action,) = properties["Rule"]["Actions"]
    bucket_id = action["S3Action"]["BucketName"]["Ref"]
    assert action["S3Action"]["ObjectKeyPrefix"] == "unsubscribe/"
    bucket = template.to_json()["Resources"][bucket_id]["Properties"]
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "AES256"
    }
    assert [rule["ExpirationInDays"] for rule in bucket["LifecycleConfiguration"]["Rules"]] == [7]
    # SES may write to it, for this account only; the rule set is made the region's active one.
    template.has_resource_properties(
        "AWS::S3::BucketPolicy",
        {
            "Bucket": {"Ref": bucket_id},
            "PolicyDocument": Match.object_like(
                {
                    "Statement": Match.array_with(
                        [
                            Match.object_like(
                                {
                                    "Action": "s3:PutObject",
                                    "Principal": {"Service": "ses.amazonaws.com"},
                                    "Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}},
                                    "Resource": {
                                        "Fn::Join": ["", [{"Fn::GetAtt": [bucket_id, "Arn"]}, "/unsubscribe/*"]]
                                    },
                                }
                            )
                        ]
                    )
                }
            ),
        },
    )
    activations = [
        resource
        for resource in template.find_resources("Custom::AWS").values()
        if "SetActiveReceiptRuleSet" in json.dumps(resource["Properties"].get("Create", ""))
    ]
    assert len(activations) == 1
    template.has_resource_properties(
        "Custom::S3BucketNotifications",
        {
            "BucketName": {"Ref": bucket_id},
            "NotificationConfiguration": {
                "QueueConfigurations": [
                    Match.object_like(
                        {
                            "Events": ["s3:ObjectCreated:*"],
                            "Filter": {"Key": {"FilterRules": [{"Name": "prefix", "Value": "unsubscribe/"}]}},
                        }
                    )
                ]
            },
        },
    )


def test_the_unsubscribe_mail_domain_comes_from_context_or_is_turned_off(variant_template):
    assert StackSettings.from_context(App(context={"senderAddress": "news@Shop.example"})).unsubscribe_mail_domain == (
        "unsubscribe.shop.example"
    )
    given = StackSettings.from_context(App(context={"unsubscribeMailDomain": "Optout.shop.example"}))
    assert given.unsubscribe_mail_domain == "optout.shop.example"
    with pytest.raises(ValueError, match="unsubscribeMailDomain"):
        StackSettings.from_context(App(context={"unsubscribeMailDomain": "not a domain"}))

    off = variant_template  # unsubscribeMailDomain "off" (tests/infra/conftest.py: VARIANT_CONTEXT)
    off.resource_count_is("AWS::SES::ReceiptRule", 0)
    variables = [
        function["Properties"]["Environment"]["Variables"]
        for function in off.find_resources("AWS::Lambda::Function").values()
        if "POWERTOOLS_SERVICE_NAME" in function["Properties"].get("Environment", {}).get("Variables", {})
    ]
    assert variables
    assert all(found["UNSUBSCRIBE_MAIL_DOMAIN"] == "off" for found in variables)  # no mailto offered


def test_the_double_opt_in_policy_reaches_every_function_and_bad_values_are_refused(template, variant_template):
    def policies(synth) -> set[tuple[str, str, str]]:
        return {
            tuple(env[name] for name in DOUBLE_OPT_IN_CONTEXT.values())
            for function in synth.find_resources("AWS::Lambda::Function").values()
            if "POWERTOOLS_SERVICE_NAME" in (env := function["Properties"].get("Environment", {}).get("Variables", {}))
        }

    assert policies(template) == {("never", "never", "never")}  # today's single opt-in, unless asked
    assert policies(variant_template) == {("always", "never", "unverified_only")}
    with pytest.raises(ValueError, match="doubleOptInImports must be one of always, unverified_only, never"):
        StackSettings.from_context(App(context={"doubleOptInImports": "sometimes"}))
    with pytest.raises(ValueError, match="signupOrigins must be https origins"):
        StackSettings.from_context(App(context={"signupOrigins": "http://shop.example"}))


def test_only_the_shops_named_servers_may_say_a_visitors_ip_address(template, variant_template):
    def trusted(synth) -> set[str | None]:
        return {
            env.get("SIGNUP_TRUSTED_SERVERS")
            for function in synth.find_resources("AWS::Lambda::Function").values()
            if "POWERTOOLS_SERVICE_NAME" in (env := function["Properties"].get("Environment", {}).get("Variables", {}))
        }

    assert trusted(template) == {None}  # nobody, unless the context names them
    assert trusted(variant_template) == {"203.0.113.7,2001:db8::/64"}
    with pytest.raises(ValueError, match="signupTrustedServers must be IP addresses or networks"):
        StackSettings.from_context(App(context={"signupTrustedServers": "shop.example"}))
    with pytest.raises(ValueError, match="signupTrustedServers must be IP addresses or networks"):
        StackSettings.from_context(App(context={"signupTrustedServers": "10.0.0.1/8"}))  # host bits set
