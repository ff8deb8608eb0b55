"""Each function's permissions, from its catalog entry's `Uses` (marketing.catalog.topology; the API's
in marketing.catalog.api_routes) and nothing else: the tables it reads or writes, the queues it sends
to, SES, the keys, the imports and inbound-mail buckets, the state machine and the campaign schedules it needs. A
unit test derives the same `Uses` from each function's code (tests/unit/functions/
test_least_privilege.py), so a grant cannot go missing or outlive its use."""

from __future__ import annotations

from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager

from infra.constructs.automations import AutomationStateMachine
from infra.constructs.data import READ_ACTIONS, WRITE_ACTIONS, DataTables
from infra.constructs.email import EmailSending
from infra.constructs.imports import ImportsBucket
from infra.constructs.inbound_mail import InboundMail
from infra.constructs.messaging import Messaging
from marketing.catalog.topology import Uses


class Grants:
    """Grants a function what a `Uses` declares, on the platform's resources."""

    def __init__(
        self,
        *,
        data: DataTables,
        messaging: Messaging,
        imports: ImportsBucket,
        email: EmailSending,
        automations: AutomationStateMachine,
        token_secret: secretsmanager.ISecret,
        gift_card_secret: secretsmanager.ISecret,
        inbound_mail: InboundMail | None,
    ):
        self._data = data
        self._messaging = messaging
        self._imports = imports
        self._email = email
        self._automations = automations
        self._token_secret = token_secret
        self._gift_card_secret = gift_card_secret
        self._inbound_mail = inbound_mail  # None: the stack receives no mail (unsubscribeMailDomain=off)

    def grant(self, function: lambda_.Function, uses: Uses) -> None:
        self._data.grant(function, uses.reads, READ_ACTIONS)
        self._data.grant(function, uses.writes, WRITE_ACTIONS)
        for queue in uses.sends_to:
            self._messaging.queues[queue].grant_send_messages(function)
        self._automations.grant(function, uses.automation_calls)
        if uses.sends_email:
            self._email.grant_send(function)
        if uses.reads_send_quota:
            self._email.grant_send_quota(function)
        if uses.checks_senders:
            self._email.grant_identity_checks(function)
        if uses.schedules_campaigns:
            self._email.grant_schedule(function)
        if uses.signs_links or uses.hashes_addresses:
            self._token_secret.grant_read(function)
        if uses.derives_gift_card_codes:
            self._gift_card_secret.grant_read(function)
        if uses.reads_imports:
            self._imports.grant_read_uploads(function)
        if uses.uploads_imports:
            self._imports.grant_upload(function)
        if uses.reads_inbound_mail and self._inbound_mail is not None:
            self._inbound_mail.grant_read(function)
