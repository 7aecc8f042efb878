"""Fields of the API's input schemas. Each checks a value with the rule the services apply (the
shared checks in app/shared), answers that rule's translated message, and describes the rule in
/api/v1/openapi.json, so the description and the answers cannot drift apart."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from marshmallow import Schema, ValidationError, fields

from app.shared.errors import InvalidInput
from app.shared.ids import MAX_ID, whole_number
from app.shared.validation import clean_text, normalise_email

NOT_BLANK = r"\S"


def _refuse(error: InvalidInput) -> ValidationError:
    return ValidationError(error.message)


class InputSchema(Schema):
    """A request body or query: unknown fields are refused. Every problem is answered in the
    request's language, naming its field (see app/web/errors.py for the answer)."""

    def handle_error(self, error: ValidationError, data: Any, *, many: bool, **kwargs: Any) -> None:
        raise ValidationError(self._translated(error.messages, data)) from error

    def _translated(self, messages: Any, data: Any) -> Any:
        if not isinstance(messages, dict):
            return messages
        known = {field.data_key or name: field for name, field in self.fields.items()}
        out: dict[str, Any] = {}
        for key, problems in messages.items():
            if key == "_schema" or not isinstance(data, Mapping):
                out[key] = [_("The body must be a JSON object.")]
            elif key not in known:
                out[key] = [_("%(field)s is not a field of this call.", field=key)]
            elif key not in data:
                out[key] = [_("%(field)s is required.", field=key)]
            elif data[key] is None:
                out[key] = [_("%(field)s may not be null.", field=key)]
            else:
                out[key] = problems
        return out


class InputField(fields.Field):
    """A field whose value is checked by `check(value, name)`; its OpenAPI properties are given."""

    openapi: dict[str, Any] = {}

    def __init__(self, **kwargs: Any) -> None:
        kwargs["metadata"] = {**self.openapi, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    @property
    def label(self) -> str:
        return self.data_key or self.name or "value"

    def _deserialize(self, value: Any, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> Any:
        try:
            return self.check(value)
        except InvalidInput as error:
            raise _refuse(error) from error

    def check(self, value: Any) -> Any:
        return value


class WholeNumber(InputField):
    """An id or revision number: a JSON integer from 0 to MAX_ID, never a boolean; in a query
    string, its decimal digits."""

    openapi = {"type": "integer", "minimum": 0, "maximum": MAX_ID}

    def __init__(self, *, from_text: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.from_text = from_text

    def check(self, value: Any) -> int:
        return whole_number(value, self.label, from_text=self.from_text)


class Offset(InputField):
    """A character offset: a JSON integer from 0 (the service checks it against the text)."""

    openapi = {"type": "integer", "minimum": 0}

    def check(self, value: Any) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            message = _("%(what)s must be a character offset.", what=self.label)
            raise InvalidInput(message, details={"field": self.label})
        return value


class Flag(InputField):
    """true or false, and nothing else (not 1, "yes" or "true")."""

    openapi = {"type": "boolean"}

    def check(self, value: Any) -> bool:
        if not isinstance(value, bool):
            raise InvalidInput(_("%(field)s must be true or false.", field=self.label), details={"field": self.label})
        return value


class Text(InputField):
    """A string of at most `max_length` characters if given (at least `min_length`); `pattern` (a regular
    expression that must occur in it) is checked and documented when given, and refused with
    `pattern_message()` if given."""

    def __init__(
        self,
        *,
        max_length: int | None = None,
        min_length: int = 0,
        pattern: str | None = None,
        pattern_message: Callable[[], str] | None = None,
        **kwargs: Any,
    ) -> None:
        openapi: dict[str, Any] = {"type": "string"}
        if max_length is not None:
            openapi["maxLength"] = max_length
        if min_length:
            openapi["minLength"] = min_length
        if pattern:
            openapi["pattern"] = pattern
        kwargs["metadata"] = {**openapi, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)
        self.min_length, self.max_length, self.pattern = min_length, max_length, pattern
        self.pattern_message = pattern_message

    def check(self, value: Any) -> str:
        if not isinstance(value, str):
            raise InvalidInput(_("%(field)s must be a string.", field=self.label), details={"field": self.label})
        if len(value) < self.min_length or (self.max_length is not None and len(value) > self.max_length):
            raise InvalidInput(self._length_message(), details={"field": self.label})
        if self.pattern and not re.search(self.pattern, value):
            raise InvalidInput(self._pattern_message(), details={"field": self.label})
        return value

    def _length_message(self) -> str:
        if not self.min_length:
            return ngettext(
                "%(field)s may have at most %(num)d character.",
                "%(field)s may have at most %(num)d characters.",
                self.max_length,
                field=self.label,
            )
        return _(
            "%(field)s must be %(min)s to %(max)s characters long.",
            field=self.label,
            min=self.min_length,
            max=self.max_length,
        )

    def _pattern_message(self) -> str:
        if self.pattern_message is not None:
            return self.pattern_message()
        if self.pattern == NOT_BLANK:
            return _("%(field)s may not be blank.", field=self.label)
        return _("%(field)s is not in the expected form.", field=self.label)


class OneLine(Text):
    """A name or title: one line, not blank, at most `max_length` characters as sent; trimmed."""

    max_length: int

    def __init__(self, *, max_length: int = 200, **kwargs: Any) -> None:
        kwargs.setdefault("metadata", {})
        kwargs["metadata"] = {"description": "one line; trimmed", **kwargs["metadata"]}
        super().__init__(max_length=max_length, min_length=1, pattern=NOT_BLANK, **kwargs)

    def check(self, value: Any) -> str:
        if isinstance(value, str) and len(value) > self.max_length:
            raise InvalidInput(self._length_message(), details={"field": self.label})
        return clean_text(value, self.label, max_length=self.max_length)


class Email(InputField):
    """An email address (syntax only, no DNS look-up); trimmed, its domain lower-cased."""

    openapi = {"type": "string", "format": "email"}

    def check(self, value: Any) -> str:
        return normalise_email(value)


class Ward(InputField):
    """One of the configured wards (config `WARDS`), or null or "" for none. The OpenAPI
    description lists the wards of the app that serves it (see app/web/api/openapi.py)."""

    def check(self, value: Any) -> str | None:
        if value in (None, ""):
            return None
        if not isinstance(value, str) or value not in current_app.config["WARDS"]:
            raise InvalidInput(_("Choose a ward from the list."), details={"field": self.label})
        return value
