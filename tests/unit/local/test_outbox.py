from types import SimpleNamespace

from marketing_local.outbox import _addresses, _summary


def test_an_address_matches_only_itself_whatever_the_send_shape():
    assert _addresses(["Cli Reader <cli-reader@example.com>"]) == {"cli-reader@example.com"}
    assert "reader@example.com" not in _addresses(["cli-reader@example.com"])
    assert _addresses({"ToAddresses": ["Ada@Example.com"], "CcAddresses": [], "BccAddresses": ["b@example.com"]}) == {
        "ada@example.com",
        "b@example.com",
    }


def test_a_raw_send_lists_each_destination_once():
    raw = "From: news@shop.example\r\nTo: Ann <ann@example.com>\r\nSubject: Hi\r\n\r\nHello"
    # What moto keeps for a raw send to Ann: the call's destination, then the message's To header.
    message = SimpleNamespace(
        id="m-1", source="news@shop.example", destinations=["ann@example.com", "Ann <Ann@example.com>"], raw_data=raw
    )
    assert _summary(message)["destinations"] == ["ann@example.com"]
