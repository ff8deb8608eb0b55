"""Query parameters every list route shares."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Query

from marketing.pagination import MAX_PAGE_SIZE

PageLimit = Annotated[int | None, Query(ge=1, le=MAX_PAGE_SIZE, description="Page size (default 25)")]
PageCursor = Annotated[str | None, Query(alias="next", description="Cursor from the previous page")]
