"""API keys of integration clients: issuing, rotating, authenticating.

A key is 43 random URL-safe characters from `secrets` (256 bits). The database keeps only its
SHA-256 and its first characters: the raw key is returned once, to whoever issued it (the admin
page shows it in a message, `manage.py open311_issue_key` prints it). A plain hash suffices
where passwords need a slow one: the key is random and long, so there is nothing to guess from a
dictionary, and looking it up by its hash costs one index probe per request.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from geoapp.exceptions import Conflict, InvalidInput, PermissionDenied
from geoapp.models import API_CLIENT_NAME_MAX_LENGTH, ApiClient

if TYPE_CHECKING:  # a client may belong to an agency; geoapp needs its type, not the wards app
    from wards.models import Agency

KEY_RANDOM_BYTES = 32
KEY_PREFIX_LENGTH = 8
NAME_MAX_LENGTH = API_CLIENT_NAME_MAX_LENGTH
# Writing the last-use time on every request would turn each read into a write; a minute's
# precision is enough to tell a live integration from an abandoned one.
LAST_USED_PRECISION = timedelta(minutes=1)


def api_key_hash(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode()).hexdigest()


def _new_key() -> str:
    return secrets.token_urlsafe(KEY_RANDOM_BYTES)


def _clean_name(name: str) -> str:
    name = str(name or "").strip()
    if not name:
        raise InvalidInput(_("Vui lòng nhập tên ứng dụng."), code="api_client_name_required")
    if len(name) > NAME_MAX_LENGTH:
        raise InvalidInput(
            _("Tên ứng dụng dài tối đa %(limit)d ký tự.") % {"limit": NAME_MAX_LENGTH},
            code="api_client_name_too_long",
        )
    return name


def _clean_email(email: str) -> str:
    email = str(email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput(
                _("Địa chỉ thư điện tử “%(email)s” không hợp lệ.") % {"email": email},
                code="invalid_email",
            ) from None
    return email


def _name_taken(name: str) -> Conflict:
    return Conflict(
        _("Đã có ứng dụng tên “%(name)s”; hãy chọn tên khác.") % {"name": name},
        code="api_client_name_taken",
    )


@transaction.atomic
def api_client_issue(
    *,
    name: str,
    agency: Agency | None = None,
    contact_email: str = "",
    is_active: bool = True,
) -> tuple[ApiClient, str]:
    """A new integration client and its raw key, which is not stored and cannot be shown again."""
    name = _clean_name(name)
    contact_email = _clean_email(contact_email)
    raw_key = _new_key()
    client = ApiClient(
        name=name,
        key_prefix=raw_key[:KEY_PREFIX_LENGTH],
        key_hash=api_key_hash(raw_key),
        is_active=bool(is_active),
        agency=agency,
        contact_email=contact_email,
    )
    try:
        # A savepoint: two administrators creating the same name at once meet the unique index,
        # and the loser gets a clear message instead of a broken transaction.
        with transaction.atomic():
            client.save(force_insert=True)
    except IntegrityError:
        raise _name_taken(name) from None
    return client, raw_key


@transaction.atomic
def api_client_update(
    *,
    client: ApiClient,
    name: str,
    agency: Agency | None,
    contact_email: str,
    is_active: bool,
) -> ApiClient:
    """Rename, re-attach, suspend or resume a client; its key is unchanged."""
    locked = ApiClient.objects.select_for_update().get(pk=client.pk)
    locked.name = _clean_name(name)
    locked.agency = agency
    locked.contact_email = _clean_email(contact_email)
    locked.is_active = bool(is_active)
    try:
        with transaction.atomic():
            locked.save(update_fields=["name", "agency", "contact_email", "is_active"])
    except IntegrityError:
        raise _name_taken(locked.name) from None
    return locked


@transaction.atomic
def api_client_rotate_key(*, client: ApiClient) -> tuple[ApiClient, str]:
    """Replace a client's key (after a leak, or routinely); the old key stops working at once."""
    locked = ApiClient.objects.select_for_update().get(pk=client.pk)
    raw_key = _new_key()
    locked.key_prefix = raw_key[:KEY_PREFIX_LENGTH]
    locked.key_hash = api_key_hash(raw_key)
    locked.save(update_fields=["key_prefix", "key_hash"])
    return locked, raw_key


def api_client_authenticate(raw_key: str | None) -> ApiClient:
    """The active client holding `raw_key`; PermissionDenied when it is missing, unknown or revoked.

    Records the time of use (at most once a minute per client).
    """
    raw_key = str(raw_key or "").strip()
    if not raw_key:
        raise PermissionDenied(
            _("Thiếu khóa API (api_key); hãy xin khóa từ quản trị viên hệ thống."),
            code="api_key_missing",
        )
    client = ApiClient.objects.filter(key_hash=api_key_hash(raw_key)).first()
    if client is None:
        raise PermissionDenied(_("Khóa API (api_key) không hợp lệ."), code="api_key_invalid")
    if not client.is_active:
        raise PermissionDenied(
            _("Khóa API (api_key) đã bị thu hồi; liên hệ quản trị viên hệ thống."),
            code="api_key_revoked",
        )
    now = timezone.now()
    if client.last_used_at is None or now - client.last_used_at >= LAST_USED_PRECISION:
        # A conditional UPDATE rather than save(): concurrent requests of the same client do not
        # lock each other, and a stale instance cannot overwrite a newer name or status.
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
        client.last_used_at = now
    return client


def api_client_identity(client: ApiClient) -> str:
    """Who submits, for the core's rate limits and idempotency keys: the client, not its address
    (one integration may reach the server through many, or share one with others)."""
    return f"api-client:{client.pk}"
