"""What an operator watches: one CloudWatch dashboard, and alarms to an SNS topic.

Alarms: any dead-letter queue holding a message, a function failing 5% of its invocations, a
queue's oldest message older than twice its visibility timeout (at least 15 minutes), SES's
account bounce rate at 2% and complaint rate at 0.08% (well before SES reviews an account at 5%
and 0.1%), and a campaign paused by the reputation guard. The topic is the one named by the
`alarmTopicArn` context value, or a new encrypted one (subscribe to it after deploying).

Business metrics are Powertools metrics in the `Marketing` namespace with the emitting function
as the `service` dimension; the dashboard sums them across functions with SEARCH expressions.
"""

from __future__ import annotations

from collections.abc import Callable

from aws_cdk import CfnOutput, Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.config import METRICS_NAMESPACE
from infra.naming import pascal_case
from marketing.catalog.topology import Queue

BOUNCE_RATE_ALARM = 0.02
COMPLAINT_RATE_ALARM = 0.0008
FUNCTION_ERROR_PERCENT = 5
MIN_QUEUE_AGE_ALARM_SECONDS = 900
# Emitted by the SES-events worker when the reputation guard pauses a campaign.
CAMPAIGN_PAUSED_METRIC = "CampaignsPausedForReputation"
BUSINESS_METRICS = {
    "Sending": ("EmailsSent", "EmailsSuppressed", "SesThrottled"),
    "Engagement (unique)": ("EmailsOpened", "EmailsClicked", "Conversions"),
    "Reputation events": ("EmailsBounced", "EmailsComplained", CAMPAIGN_PAUSED_METRIC),
    "Growth": ("PointsAwarded", "GiftCardRedemptions"),
}


def _business_metric(name: str, minutes: int = 5) -> cloudwatch.MathExpression:
    period = Duration.minutes(minutes)
    search = f"SEARCH('{{{METRICS_NAMESPACE},service}} MetricName=\"{name}\"', 'Sum', {minutes * 60})"
    return cloudwatch.MathExpression(
        expression=f"SUM({search})",
        label=name,
        period=period,
        using_metrics={},
    )


def _per_queue(
    title: str, queues: dict[Queue, sqs.Queue], metric: Callable[..., cloudwatch.Metric], statistic: str
) -> cloudwatch.GraphWidget:
    """One line per queue of `metric` (a Queue method), labelled with the queue's name."""
    lines = [metric(queue, label=spec.name, statistic=statistic) for spec, queue in queues.items()]
    return cloudwatch.GraphWidget(title=title, left=lines, width=8)


def _ses_reputation(name: str) -> cloudwatch.Metric:
    return cloudwatch.Metric(namespace="AWS/SES", metric_name=name, statistic="Maximum", period=Duration.minutes(15))


class Monitoring(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        alarm_topic_arn: str | None,
        functions: dict[str, lambda_.Function],
        queues: dict[Queue, sqs.Queue],
        dead_letter_queues: dict[Queue, sqs.Queue],
    ):
        super().__init__(scope, construct_id)
        self.topic = self._topic(alarm_topic_arn)
        self._notify = actions.SnsAction(self.topic)
        self.alarms: list[cloudwatch.Alarm] = []
        for queue, dead_letters in dead_letter_queues.items():
            self._alarm(
                f"{pascal_case(queue.name)}DlqNotEmpty",
                dead_letters.metric_approximate_number_of_messages_visible(
                    period=Duration.minutes(5), statistic="Maximum"
                ),
                1,
                f"{queue.name}: messages on the dead-letter queue (see each one's error_reason attribute)",
            )
            age = min(max(MIN_QUEUE_AGE_ALARM_SECONDS, 2 * queue.visibility_timeout_seconds), 6 * 3600)
            self._alarm(
                f"{pascal_case(queue.name)}QueueAge",
                queues[queue].metric_approximate_age_of_oldest_message(period=Duration.minutes(5), statistic="Maximum"),
                age,
                f"{queue.name}: the oldest message waited more than {age} s (workers failing or throttled)",
            )
        for name, function in functions.items():
            error_rate = cloudwatch.MathExpression(
                expression="IF(invocations > 0, 100 * errors / invocations, 0)",
                using_metrics={
                    "errors": function.metric_errors(period=Duration.minutes(5), statistic="Sum"),
                    "invocations": function.metric_invocations(period=Duration.minutes(5), statistic="Sum"),
                },
                period=Duration.minutes(5),
                label=f"{name} error %",
            )
            self._alarm(
                f"{pascal_case(name)}ErrorRate",
                error_rate,
                FUNCTION_ERROR_PERCENT,
                f"{name}: {FUNCTION_ERROR_PERCENT}% or more of invocations failed",
            )
        self._alarm(
            "SesBounceRate",
            _ses_reputation("Reputation.BounceRate"),
            BOUNCE_RATE_ALARM,
            "SES account bounce rate at 2% (SES reviews accounts at 5%): clean the lists",
        )
        self._alarm(
            "SesComplaintRate",
            _ses_reputation("Reputation.ComplaintRate"),
            COMPLAINT_RATE_ALARM,
            "SES account complaint rate at 0.08% (SES reviews accounts at 0.1%)",
        )
        self._alarm(
            "CampaignPausedForReputation",
            cloudwatch.Metric(
                namespace=METRICS_NAMESPACE,
                metric_name=CAMPAIGN_PAUSED_METRIC,
                dimensions_map={"service": "ses-events"},
                statistic="Sum",
                period=Duration.minutes(5),
            ),
            1,
            "A campaign's bounces or complaints crossed the guard's rate: it is paused until resumed",
        )
        self.dashboard = self._dashboard(functions, queues, dead_letter_queues)
        CfnOutput(self, "AlarmTopicArn", value=self.topic.topic_arn, description="Subscribe on-call here")
        CfnOutput(self, "DashboardName", value=self.dashboard.dashboard_name, description="The platform's dashboard")

    def _topic(self, arn: str | None) -> sns.ITopic:
        if arn:
            return sns.Topic.from_topic_arn(self, "AlarmTopic", arn)
        key = kms.Key(self, "AlarmTopicKey", enable_key_rotation=True, description="Encrypts the alarm topic")
        # CloudWatch publishes to the encrypted topic: it needs to use the key.
        key.add_to_resource_policy(
            iam.PolicyStatement(
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
                resources=["*"],
            )
        )
        return sns.Topic(self, "AlarmTopic", display_name="Marketing platform alarms", master_key=key, enforce_ssl=True)

    def _alarm(self, construct_id: str, metric: cloudwatch.IMetric, threshold: float, description: str) -> None:
        alarm = cloudwatch.Alarm(
            self,
            construct_id,
            metric=metric,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=description,
        )
        alarm.add_alarm_action(self._notify)
        self.alarms.append(alarm)

    def _dashboard(
        self,
        functions: dict[str, lambda_.Function],
        queues: dict[Queue, sqs.Queue],
        dead_letter_queues: dict[Queue, sqs.Queue],
    ) -> cloudwatch.Dashboard:
        dashboard = cloudwatch.Dashboard(self, "Dashboard", default_interval=Duration.hours(6))
        minute = Duration.minutes(1)
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Emails sent per minute",
                left=[_business_metric("EmailsSent", minutes=1)],
                right=[cloudwatch.Metric(namespace="AWS/SES", metric_name="Send", statistic="Sum", period=minute)],
                width=12,
            ),
            cloudwatch.GraphWidget(
                title="SES bounce and complaint rates",
                left=[_ses_reputation("Reputation.BounceRate"), _ses_reputation("Reputation.ComplaintRate")],
                left_annotations=[
                    cloudwatch.HorizontalAnnotation(value=BOUNCE_RATE_ALARM, label="bounce alarm 2%"),
                    cloudwatch.HorizontalAnnotation(value=COMPLAINT_RATE_ALARM, label="complaint alarm 0.08%"),
                ],
                width=12,
            ),
        )
        dashboard.add_widgets(
            *[
                cloudwatch.GraphWidget(title=title, left=[_business_metric(name) for name in names], width=6)
                for title, names in BUSINESS_METRICS.items()
            ]
        )
        depth = sqs.Queue.metric_approximate_number_of_messages_visible
        dashboard.add_widgets(
            _per_queue("Queue depth (visible messages)", queues, depth, "Maximum"),
            _per_queue("Oldest message age (s)", queues, sqs.Queue.metric_approximate_age_of_oldest_message, "Maximum"),
            _per_queue("Dead-letter queues", dead_letter_queues, depth, "Maximum"),
        )
        dashboard.add_widgets(
            cloudwatch.GraphWidget(
                title="Function errors",
                left=[function.metric_errors(label=name, statistic="Sum") for name, function in functions.items()],
                width=12,
            ),
            cloudwatch.GraphWidget(
                title="Function duration p95 (ms)",
                left=[function.metric_duration(label=name, statistic="p95") for name, function in functions.items()],
                width=12,
            ),
        )
        return dashboard
