"""Phone numbers and email addresses as the log and the console may show them.

Logs are read by more people than the outbox (operators, a log service, whoever a support ticket
is forwarded to) and kept longer: a line there says which message it is about by its id, and an
address only in a form that tells two recipients apart without naming either.
"""

from __future__ import annotations

import re

PHONE_DIGITS_SHOWN = 3
_DIGIT = re.compile(r"\d")


def masked_address(address: str) -> str:
    """`0905 123 456` → `xxxxxxx456`; `Binh.Tran@Example.VN` → `b***@example.vn`; anything else
    that is not a phone number → `***`."""
    text = address.strip()
    if "@" in text:
        local, _at, domain = text.rpartition("@")
        return f"{local[:1].lower()}***@{domain.lower()}" if local and domain else "***"
    digits = _DIGIT.findall(text)
    if not digits:
        return "***"
    shown = digits[-PHONE_DIGITS_SHOWN:] if len(digits) > PHONE_DIGITS_SHOWN else []
    return "x" * (len(digits) - len(shown)) + "".join(shown)


def text_without_address(text: str, address: str) -> str:
    """`text` (an error a provider wrote) with every occurrence of `address` masked, whatever
    its letter case."""
    if not address:
        return text
    return re.sub(re.escape(address), masked_address(address), text, flags=re.IGNORECASE)
