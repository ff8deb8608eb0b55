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


def test_a_refused_transaction_restores_the_items_it_changed_and_keeps_the_others(table):
    table.put_item(TableName="items", Item={"id": {"S": "other"}, "n": {"N": "7"}})
    counted = {
        "Update": {
            "TableName": "items",
            "Key": {"id": {"S": "other"}},
            "UpdateExpression": "ADD n :one",
            "ExpressionAttributeValues": {":one": {"N": "1"}},
        }
    }
    with pytest.raises(table.exceptions.TransactionCanceledException):
        table.transact_write_items(TransactItems=[counted, _claim("taken")])
    items = {item["id"]["S"]: item["n"]["N"] for item in table.scan(TableName="items")["Items"]}
    assert items == {"taken": "1", "other": "7"}  # the counter changed in place, then rolled back


def test_a_refused_transaction_on_a_table_with_a_sort_key_restores_its_partition(table):
    table.create_table(
        TableName="pairs",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    table.put_item(TableName="pairs", Item={"pk": {"S": "p"}, "sk": {"S": "1"}, "n": {"N": "1"}})
    added = {"Put": {"TableName": "pairs", "Item": {"pk": {"S": "p"}, "sk": {"S": "2"}}}}
    changed = {
        "Update": {
            "TableName": "pairs",
            "Key": {"pk": {"S": "p"}, "sk": {"S": "1"}},
            "UpdateExpression": "SET n = :n",
            "ExpressionAttributeValues": {":n": {"N": "5"}},
        }
    }
    with pytest.raises(table.exceptions.TransactionCanceledException):
        table.transact_write_items(TransactItems=[added, changed, _claim("taken")])
    items = table.scan(TableName="pairs")["Items"]
    assert items == [{"pk": {"S": "p"}, "sk": {"S": "1"}, "n": {"N": "1"}}]
    table.transact_write_items(TransactItems=[added, changed])
    assert len(table.scan(TableName="pairs")["Items"]) == 2
