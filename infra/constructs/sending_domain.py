"""The sender's domain as mailbox providers check it (docs/deploy.md, "Deliverability"): the SES
domain identity with Easy DKIM (2048-bit keys SES holds; the domain publishes CNAMEs to them) and
a custom MAIL FROM subdomain, so that DKIM and SPF both align with the From domain under DMARC; and
the DNS records to publish for them and a DMARC record, as stack outputs, one record each, written
as `<name> <type> <value>`.

An identity verified outside the stack (`senderIdentity=existing`: CloudFormation cannot create
one that exists) stays its owner's to configure: the stack then outputs only the DMARC record."""

from __future__ import annotations

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_ses as ses
from constructs import Construct

SPF_RECORD = "v=spf1 include:amazonses.com ~all"


def dmarc_record(report_address: str | None) -> str:
    """Monitoring only (p=none): mail that fails DMARC is still delivered while reports show
    whether everything the domain sends aligns; the policy is tightened by hand afterwards."""
    return "v=DMARC1; p=none" + (f"; rua=mailto:{report_address}" if report_address else "")


class SendingDomain(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        domain: str,
        configuration_set: ses.CfnConfigurationSet,
        create_identity: bool,
        mail_from_domain: str | None,
        dmarc_report_address: str | None,
    ):
        super().__init__(scope, construct_id)
        if create_identity:
            self._identity(domain, configuration_set, mail_from_domain)
        self._output(
            "DmarcTxt",
            f'_dmarc.{domain} TXT "{dmarc_record(dmarc_report_address)}"',
            "Publish this TXT record unless the domain has a DMARC record already; tighten p= once reports are clean",
        )

    def _identity(self, domain: str, configuration_set: ses.CfnConfigurationSet, mail_from_domain: str | None) -> None:
        identity = ses.EmailIdentity(
            self,
            "Identity",
            identity=ses.Identity.domain(domain),
            dkim_identity=ses.DkimIdentity.easy_dkim(ses.EasyDkimSigningKeyLength.RSA_2048_BIT),
            # Sends that name no configuration set (an SES console test, another tool) still report
            # bounces and complaints, which suppress the addresses.
            configuration_set=configuration_set,
            mail_from_domain=mail_from_domain,
            # Until the MX record is found, SES uses its own MAIL FROM (amazonses.com) rather than refusing.
            mail_from_behavior_on_mx_failure=ses.MailFromBehaviorOnMxFailure.USE_DEFAULT_VALUE
            if mail_from_domain
            else None,
        )
        for number, record in enumerate(identity.dkim_records, start=1):
            self._output(
                f"DkimCname{number}",
                f"{record.name} CNAME {record.value}",
                f"Publish this CNAME record, DKIM key {number} of 3: SES verifies the domain and signs mail with it",
            )
        if mail_from_domain:
            region = Stack.of(self).region
            self._output(
                "MailFromMx",
                f"{mail_from_domain} MX 10 feedback-smtp.{region}.amazonses.com",
                "Publish this MX record: the MAIL FROM domain, where receivers send bounces to SES",
            )
            self._output(
                "MailFromSpf",
                f'{mail_from_domain} TXT "{SPF_RECORD}"',
                "Publish this TXT record: SPF for the MAIL FROM domain, aligned with the From domain",
            )

    def _output(self, construct_id: str, record: str, description: str) -> None:
        CfnOutput(self, construct_id, value=record, description=f"{description} (docs/deploy.md)")
