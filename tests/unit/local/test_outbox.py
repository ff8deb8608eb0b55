from marketing_local.outbox import _addresses


def test_an_address_matches_only_itself_whatever_the_send_shape():
    assert _addresses(["Cli Reader <cli-reader@example.com>"]) == {"cli-reader@example.com"}
    assert "reader@example.com" not in _addresses(["cli-reader@example.com"])
    assert _addresses({"ToAddresses": ["Ada@Example.com"], "CcAddresses": [], "BccAddresses": ["b@example.com"]}) == {
        "ada@example.com",
        "b@example.com",
    }
