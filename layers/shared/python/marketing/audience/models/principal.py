"""Who the API takes the caller to be."""

from pydantic import Field

from marketing.models import ApiModel


class Me(ApiModel):
    user_id: str = Field(description="The token's `sub`: the shop's user id")
    email: str | None = Field(default=None, description="The token's `email` claim")
