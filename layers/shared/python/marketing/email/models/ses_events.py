"""The parts of SES's event records the platform reads (as SES publishes them to EventBridge:
source `aws.ses`, the record in `detail`). Everything else in a record is ignored."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class _Record(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True, defer_build=True)


class SesMail(_Record):
    message_id: str = Field(alias="messageId")
    timestamp: datetime
    destination: list[str] = Field(default_factory=list)
    tags: dict[str, list[str]] = Field(default_factory=dict)

    def tag(self, name: str) -> str | None:
        values = self.tags.get(name) or []
        return values[0] if values else None


class SesAddress(_Record):
    email_address: str = Field(alias="emailAddress")


class SesBounce(_Record):
    bounce_type: str = Field(alias="bounceType")  # Permanent, Transient, Undetermined
    bounce_sub_type: str = Field(default="", alias="bounceSubType")
    bounced_recipients: list[SesAddress] = Field(alias="bouncedRecipients")
    timestamp: datetime


class SesComplaint(_Record):
    complained_recipients: list[SesAddress] = Field(alias="complainedRecipients")
    timestamp: datetime


class SesDelivery(_Record):
    timestamp: datetime


class SesReject(_Record):
    reason: str = ""


class SesEventRecord(_Record):
    event_type: str = Field(alias="eventType")
    mail: SesMail
    bounce: SesBounce | None = None
    complaint: SesComplaint | None = None
    delivery: SesDelivery | None = None
    reject: SesReject | None = None


class SesEvent(_Record):
    """The EventBridge envelope."""

    source: str
    detail_type: str = Field(alias="detail-type")
    detail: SesEventRecord
