"""A first open the tracking pixel saw, on its way to be recorded with others (the opens queue)."""

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class FirstOpen(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    mailing_id: str = Field(min_length=1)  # a MailingRef's id: a campaign's, or an automation email run's
    contact_id: str = Field(min_length=1)
    opened_at: AwareDatetime
