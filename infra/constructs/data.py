"""The DynamoDB tables, one per aggregate, defined from the PynamoDB models themselves so the
deployed keys and indexes cannot drift from the code that reads them."""

from __future__ import annotations

from collections.abc import Collection

from aws_cdk import RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct
from pynamodb.models import Model

from infra.nag import acknowledge_index_access
from infra.naming import pascal_case
from marketing.catalog.tables import TABLES

# What PynamoDB asks of a table it reads (it knows the schema from the model: no DescribeTable),
# and what it writes with, transactions included. Tables have no streams to read.
READ_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:ConditionCheckItem",
)
WRITE_ACTIONS = (
    *READ_ACTIONS,
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:BatchWriteItem",
)

_TYPES = {"S": dynamodb.AttributeType.STRING, "N": dynamodb.AttributeType.NUMBER, "B": dynamodb.AttributeType.BINARY}


def _keys(key_schema: list[dict], definitions: dict[str, str]) -> dict[str, dynamodb.Attribute]:
    keys = {}
    for key in key_schema:
        name = key["AttributeName"]
        role = "partition_key" if key["KeyType"] == "HASH" else "sort_key"
        keys[role] = dynamodb.Attribute(name=name, type=_TYPES[definitions[name]])
    return keys


class DataTables(Construct):
    """`tables` maps each table's environment variable (TEMPLATES_TABLE, …) to its Table."""

    def __init__(self, scope: Construct, construct_id: str, *, retain_data: bool):
        super().__init__(scope, construct_id)
        self.tables: dict[str, dynamodb.Table] = {}
        self._indexed: set[str] = set()
        for model, env_var in TABLES.items():
            self.tables[env_var] = self._table(model, env_var, retain_data)

    def grant(self, function: lambda_.IFunction, env_vars: Collection[str], actions: tuple[str, ...]) -> None:
        """`actions` on the tables named by `env_vars` (and their indexes), in one statement: one per
        table, as Table.grant_* makes them, would overflow a role's inline policy into managed ones."""
        if not env_vars:
            return
        resources = []
        for env_var in sorted(env_vars):
            table = self.tables[env_var]
            resources.append(table.table_arn)
            if env_var in self._indexed:
                resources.append(f"{table.table_arn}/index/*")
                acknowledge_index_access(function, table)
        function.add_to_role_policy(iam.PolicyStatement(actions=list(actions), resources=resources))

    def _table(self, model: type[Model], env_var: str, retain_data: bool) -> dynamodb.Table:
        schema = model._get_schema()
        definitions = {item["AttributeName"]: item["AttributeType"] for item in schema["attribute_definitions"]}
        table = dynamodb.Table(
            self,
            pascal_case(env_var.removesuffix("_TABLE")) + "Table",
            **_keys(schema["key_schema"], definitions),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            encryption=dynamodb.TableEncryption.AWS_MANAGED,
            deletion_protection=retain_data,
            removal_policy=RemovalPolicy.RETAIN if retain_data else RemovalPolicy.DESTROY,
            time_to_live_attribute=getattr(model.Meta, "ttl_attribute", None),
        )
        for index in schema["global_secondary_indexes"]:
            self._indexed.add(env_var)
            table.add_global_secondary_index(
                index_name=index["index_name"],
                **_keys(index["key_schema"], definitions),
                projection_type=dynamodb.ProjectionType(index["projection"]["ProjectionType"]),
            )
        return table
