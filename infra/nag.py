"""Acknowledging a cdk-nag finding: always with the reason, in code, next to what it is about."""

from __future__ import annotations

from aws_cdk import Acknowledgment, Stack, Validations
from aws_cdk import aws_dynamodb as dynamodb
from constructs import IConstruct


def acknowledge(scope: IConstruct, rule: str, reason: str) -> None:
    """`rule` is the finding's id, e.g. "AwsSolutions-SMG4" or "AwsSolutions-IAM5[Resource::*]"."""
    Validations.of(scope).acknowledge(Acknowledgment(id=rule, reason=reason))


def acknowledge_index_access(grantee: IConstruct, table: dynamodb.Table) -> None:
    """A table grant covers the table's indexes as `<table-arn>/index/*`: scoped to that one table."""
    stack = Stack.of(table)
    logical_id = stack.resolve(stack.get_logical_id(table.node.default_child))
    acknowledge(
        grantee,
        f"AwsSolutions-IAM5[Resource::<{logical_id}.Arn>/index/*]",
        "Queries go through the table's own secondary indexes; the grant is scoped to this table.",
    )
