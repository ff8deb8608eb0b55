"""Amounts on the wire: decimal strings, floats refused, and an OpenAPI schema in standard JSON Schema
whose patterns describe what a request may send and what a response always gives."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from marketing.money import Amount, SignedAmount


class Priced(BaseModel):
    amount: Amount
    change: SignedAmount = Decimal(0)


def _patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    sent = TypeAdapter(Amount).json_schema(mode="validation")
    signed = TypeAdapter(SignedAmount).json_schema(mode="validation")
    answered = TypeAdapter(Amount).json_schema(mode="serialization")
    assert {schema["type"] for schema in (sent, signed, answered)} == {"string"}
    return re.compile(sent["pattern"]), re.compile(signed["pattern"]), re.compile(answered["pattern"])


SENT, SIGNED, ANSWERED = _patterns()


@pytest.mark.parametrize("text", ["0", "12", "12.5", "12.50", "999999999999.99"])
def test_an_amount_the_document_describes_is_taken_and_answered_with_two_places(text):
    assert SENT.fullmatch(text)
    assert SIGNED.fullmatch(f"-{text}")
    priced = Priced.model_validate({"amount": text, "change": f"-{text}"})
    answer = priced.model_dump(mode="json")
    assert answer["amount"] == f"{Decimal(text):.2f}"
    assert ANSWERED.fullmatch(answer["amount"])
    assert ANSWERED.fullmatch(answer["change"])


@pytest.mark.parametrize("text", ["-1", "1.234", "1234567890123", "12,50", "", "1e3"])
def test_what_the_document_does_not_describe_is_not_an_amount_to_send(text):
    assert not SENT.fullmatch(text)


@pytest.mark.parametrize("value", ["-1", "1.234", "1234567890123.00", 12.5])
def test_the_api_refuses_what_no_amount_is(value):
    with pytest.raises(ValidationError):
        Priced.model_validate({"amount": value})


def test_the_schema_has_no_keys_json_schema_does_not_define():
    for mode in ("validation", "serialization"):
        for kind in (Amount, SignedAmount):
            schema = TypeAdapter(kind).json_schema(mode=mode)
            assert set(schema) <= {"type", "pattern", "examples"}, schema
