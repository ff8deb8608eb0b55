"""Who the API takes the caller to be."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Me(BaseModel):
    user_id: str = Field(description="The token's `sub`: the shop's user id")
    email: str | None = Field(default=None, description="The token's `email` claim")
