"""The reporter's secret: handed over once when the report is filed, proves "I sent this report".

The token is an HMAC of the tracking code under the project's SECRET_KEY, so a retried submission
(same idempotency key) receives the same token again, while the database keeps only its SHA-256:
a copy of the database alone lets nobody act as a reporter. Rotating SECRET_KEY leaves existing
tokens valid (they are checked against the stored hash) but a replayed submission after the
rotation would hand out a token that does not match; idempotency keys are short-lived, so this
is accepted.
"""

from __future__ import annotations

import hashlib

from django.utils.crypto import salted_hmac

_KEY_SALT = "incidents.reporter_token"


def reporter_token_for(tracking_code: str) -> str:
    return salted_hmac(_KEY_SALT, tracking_code, algorithm="sha256").hexdigest()[:32]


def reporter_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
