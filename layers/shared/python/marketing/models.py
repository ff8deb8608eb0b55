"""Base classes of the API's pydantic models.

`defer_build` postpones building a model's validator until it is first used: a cold start then
pays only for the models the invocation's route actually touches.
"""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class ApiModel(BaseModel):
    """A response or domain model."""

    model_config = ConfigDict(defer_build=True)


class ApiInput(BaseModel):
    """A request body: unknown fields are an error, not silently dropped."""

    model_config = ConfigDict(defer_build=True, extra="forbid")


# The `next` field of a page of a listing (marketing.pagination): `next: NextCursor = None`.
NextCursor = Annotated[str | None, Field(description="Cursor for the next page; absent on the last page.")]
