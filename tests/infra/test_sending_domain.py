"""The sender's domain identity (DKIM, MAIL FROM) and the DNS records the stack tells the operator
to publish (infra/constructs/sending_domain.py, docs/deploy.md "Deliverability")."""

from __future__ import annotations

import pytest
from aws_cdk import App, Stack
from aws_cdk import aws_ses as ses
from aws_cdk.assertions import Template

from infra.config import StackSettings
from infra.constructs.sending_domain import SendingDomain
from tests.infra.intrinsics import logical_id, render

RECORD_CONSTRUCTS = ("SendingDomain", "InboundMail")  # every output naming a DNS record to publish


def _records(template: Template) -> dict[str, str]:
    """The record outputs by name (without their construct's prefix and CDK's hash), rendered."""
    records = {}
    for key, output in template.find_outputs("*").items():
        prefix = next((name for name in RECORD_CONSTRUCTS if key.startswith(name)), None)
        if prefix:
            assert "(docs/deploy.md)" in output["Description"], key
            records[key[len(prefix) : -8]] = render(output["Value"])
    return records


def test_the_stack_makes_the_senders_domain_identity_with_2048_bit_dkim_and_a_mail_from_subdomain(template):
    identity = logical_id(template, "AWS::SES::EmailIdentity", "SendingDomain")
    configuration_set = logical_id(template, "AWS::SES::ConfigurationSet", "Email")
    assert template.to_json()["Resources"][identity]["Properties"] == {
        "EmailIdentity": "example.com",  # of the default senderAddress, news@example.com
        "DkimSigningAttributes": {"NextSigningKeyLength": "RSA_2048_BIT"},  # Easy DKIM
        "MailFromAttributes": {"MailFromDomain": "mail.example.com", "BehaviorOnMxFailure": "USE_DEFAULT_VALUE"},
        # Sends naming no configuration set still report their bounces and complaints.
        "ConfigurationSetAttributes": {"ConfigurationSetName": {"Ref": configuration_set}},
    }


def test_the_outputs_are_the_records_to_publish_for_dkim_mail_from_dmarc_and_the_unsubscribe_mailto(template):
    identity = logical_id(template, "AWS::SES::EmailIdentity", "SendingDomain")
    assert _records(template) == {
        **{
            f"DkimCname{n}": f"<{identity}.DkimDNSTokenName{n}> CNAME <{identity}.DkimDNSTokenValue{n}>"
            for n in (1, 2, 3)
        },
        "MailFromMx": "mail.example.com MX 10 feedback-smtp.<AWS::Region>.amazonses.com",
        "MailFromSpf": 'mail.example.com TXT "v=spf1 include:amazonses.com ~all"',
        "DmarcTxt": '_dmarc.example.com TXT "v=DMARC1; p=none"',  # monitoring only, no reports asked for
        "UnsubscribeMailMx": "unsubscribe.example.com MX 10 inbound-smtp.<AWS::Region>.amazonaws.com",
    }


def test_an_identity_verified_outside_the_stack_is_left_alone_and_only_dmarc_is_output(variant_template):
    """senderIdentity "existing", dmarcReportAddress set (tests/infra/conftest.py: VARIANT_CONTEXT)."""
    variant_template.resource_count_is("AWS::SES::EmailIdentity", 0)
    assert _records(variant_template) == {
        "DmarcTxt": '_dmarc.example.com TXT "v=DMARC1; p=none; rua=mailto:DMARC-Reports@example.com"'
    }  # and no UnsubscribeMailMx: unsubscribeMailDomain is "off" there


def test_without_a_mail_from_domain_the_identity_sends_from_ses_own_and_no_mail_from_records_are_output():
    stack = Stack()
    SendingDomain(
        stack,
        "SendingDomain",
        domain="shop.example",
        configuration_set=ses.CfnConfigurationSet(stack, "ConfigurationSet"),
        create_identity=True,
        mail_from_domain=None,
        dmarc_report_address=None,
    )
    template = Template.from_stack(stack)
    [identity] = template.find_resources("AWS::SES::EmailIdentity").values()
    assert "MailFromAttributes" not in identity["Properties"]
    assert sorted(_records(template)) == ["DkimCname1", "DkimCname2", "DkimCname3", "DmarcTxt"]


def _settings(**context: str) -> StackSettings:
    return StackSettings.from_context(App(context=context))


def test_the_identity_mail_from_domain_and_dmarc_reports_come_from_context():
    default = _settings()
    assert (default.create_sender_identity, default.mail_from_domain, default.dmarc_report_address) == (
        True,
        "mail.example.com",
        None,
    )
    assert _settings(senderAddress="news@Shop.example").mail_from_domain == "mail.shop.example"
    assert _settings(mailFromDomain="Bounces.Shop.example", senderAddress="news@shop.example").mail_from_domain == (
        "bounces.shop.example"
    )
    assert _settings(mailFromDomain="off").mail_from_domain is None
    existing = _settings(senderIdentity="Existing")
    assert (existing.create_sender_identity, existing.mail_from_domain) == (False, None)  # its owner's to set
    assert _settings(dmarcReportAddress=" dmarc+shop@Reports.example ").dmarc_report_address == (
        "dmarc+shop@reports.example"
    )


@pytest.mark.parametrize(
    ("context", "message"),
    [
        ({"senderIdentity": "manual"}, 'senderIdentity must be "create" or "existing"'),
        ({"mailFromDomain": "mail.other.example"}, r"subdomain of the sender's domain, example\.com"),
        ({"mailFromDomain": "example.com"}, r"subdomain of the sender's domain, example\.com"),
        ({"mailFromDomain": "not a domain.example.com"}, r"subdomain of the sender's domain"),
        ({"mailFromDomain": "unsubscribe.example.com"}, "mailFromDomain and unsubscribeMailDomain need domains"),
        ({"unsubscribeMailDomain": "mail.example.com"}, "mailFromDomain and unsubscribeMailDomain need domains"),
        ({"senderIdentity": "existing", "mailFromDomain": "mail.example.com"}, 'with senderIdentity "existing"'),
        ({"dmarcReportAddress": "dmarc"}, "dmarcReportAddress must be an email address"),
        ({"dmarcReportAddress": "a@example.com,b@example.com"}, "dmarcReportAddress must be an email address"),
        ({"dmarcReportAddress": "a;p=reject@example.com"}, "dmarcReportAddress must be an email address"),
    ],
)
def test_context_values_that_cannot_work_fail_synth_saying_which_key(context, message):
    with pytest.raises(ValueError, match=message):
        _settings(**context)
