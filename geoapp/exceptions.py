"""Domain errors: raised by services and selectors, turned into HTTP answers by the interfaces.

Each carries a message already in the user's language (gettext), so every interface (API, page,
command) shows the same clear sentence.
"""

from enum import StrEnum


class ErrorKind(StrEnum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    CONFLICT = "conflict"


class DomainError(Exception):
    kind: ErrorKind = ErrorKind.INVALID
    code: str = "invalid"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = str(message)
        if code is not None:
            self.code = code


class InvalidInput(DomainError):
    kind = ErrorKind.INVALID
    code = "invalid_input"


class NotFound(DomainError):
    kind = ErrorKind.NOT_FOUND
    code = "not_found"


class PermissionDenied(DomainError):
    kind = ErrorKind.FORBIDDEN
    code = "permission_denied"


class Conflict(DomainError):
    kind = ErrorKind.CONFLICT
    code = "conflict"
