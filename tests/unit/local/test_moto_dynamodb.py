import boto3
import pytest
from moto import mock_aws

from marketing_local import moto_dynamodb


@pytest.fixture
def table():
    moto_dynamodb.apply()
    with mock_aws():
        client = boto3.client("dynamodb", region_name="eu-west-2")
        client.create_table(
            TableName="items",
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        client.put_item(TableName="items", Item={"id": {"S": "taken"}, "n": {"N": "1"}})
        yield client


def _claim(item_id: str) -> dict:
    return {
        "Update": {
            "TableName": "items",
            "Key": {"id": {"S": item_id}},
            "UpdateExpression": "SET n = :n",
            "ConditionExpression": "attribute_not_exists(n)",
            "ExpressionAttributeValues": {":n": {"N": "2"}},
        }
    }


def test_a_refused_transaction_still_rolls_back_what_it_wrote_first(table):
    with pytest.raises(table.exceptions.TransactionCanceledException):
        table.transact_write_items(TransactItems=[_claim("a"), _claim("b"), _claim("taken")])
    ids = sorted(item["id"]["S"] for item in table.scan(TableName="items")["Items"])
    assert ids == ["taken"]


def test_an_accepted_transaction_writes_every_item_and_later_ones_see_them(table):
    table.transact_write_items(TransactItems=[_claim("a"), _claim("b")])
    with pytest.raises(table.exceptions.TransactionCanceledException):
        table.transact_write_items(TransactItems=[_claim("c"), _claim("a")])
    ids = sorted(item["id"]["S"] for item in table.scan(TableName="items")["Items"])
    assert ids == ["a", "b", "taken"]
    assert moto_dynamodb._backups.tables is None  # nothing kept between transactions
