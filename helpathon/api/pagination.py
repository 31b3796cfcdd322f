"""Pagination for API lists, with bounds that keep bad input a 422 instead of a 500."""

from typing import Any

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = 100
# An offset beyond this cannot point at a real row, and a larger one overflows the database's
# integer type (SQLite raises OverflowError, PostgreSQL a DataError), which would be a 500.
MAX_OFFSET = 1_000_000


class LimitOffsetInput(Schema):
    limit: int = Field(20, ge=1, le=MAX_LIMIT, description="How many items to return.")
    offset: int = Field(0, ge=0, le=MAX_OFFSET, description="How many items to skip.")


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    Input = LimitOffsetInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)
