"""URL converters: ids that fit the database's integer columns (larger ones are simply 404)."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

from app.shared.ids import MAX_ID


class DatabaseIdConverter(IntegerConverter):
    def __init__(self, map, *args, **kwargs) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)
