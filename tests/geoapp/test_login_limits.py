"""Guessing passwords: after five wrong ones from an address, or for a username, logins are
refused for a while (django-axes), on the officials' login page and the admin's alike."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from pytest_django import Settings

LOGIN = "/tai-khoan/login/"
ADMIN_LOGIN = "/admin/login/"
PASSWORD = "mật khẩu đúng của cán bộ 2026"


@pytest.fixture
def officer(db: None, settings: Settings) -> User:
    settings.AXES_ENABLED = True
    return User.objects.create_user(username="can-bo-cam-thanh", password=PASSWORD, is_staff=True)


def attempt(client: Client, url: str, username: str, password: str, **extra: Any) -> int:
    response = client.post(url, {"username": username, "password": password}, **extra)
    return response.status_code


def test_five_wrong_passwords_lock_the_address_even_with_the_right_one_after(
    officer: User,
) -> None:
    guesser = Client(REMOTE_ADDR="198.51.100.7")

    wrong = [attempt(guesser, LOGIN, officer.username, f"đoán {n}") for n in range(5)]
    locked = guesser.post(LOGIN, {"username": officer.username, "password": PASSWORD})

    assert wrong == [200, 200, 200, 200, 429]
    assert locked.status_code == 429
    assert (
        "Đã nhập sai mật khẩu quá nhiều lần. Vui lòng thử lại sau 15 phút"
        in locked.content.decode()
    )
    assert "_auth_user_id" not in guesser.session


def test_the_username_is_locked_from_other_addresses_too_and_other_people_are_not(
    officer: User,
) -> None:
    User.objects.create_user(username="can-bo-an-phu", password=PASSWORD)
    for n in range(5):
        attempt(Client(REMOTE_ADDR=f"203.0.113.{n}"), LOGIN, officer.username, "sai")

    from_elsewhere = attempt(Client(REMOTE_ADDR="192.0.2.50"), LOGIN, officer.username, PASSWORD)
    colleague = Client(REMOTE_ADDR="192.0.2.51")
    colleague_status = colleague.post(
        LOGIN, {"username": "can-bo-an-phu", "password": PASSWORD}
    ).status_code

    assert from_elsewhere == 429
    assert colleague_status == 302  # logged in, sent on
    assert "_auth_user_id" in colleague.session


def test_the_admin_login_counts_the_same_way(officer: User) -> None:
    guesser = Client(REMOTE_ADDR="198.51.100.9")

    statuses = [attempt(guesser, ADMIN_LOGIN, f"quan-tri-{n}", "sai") for n in range(6)]

    assert statuses == [200, 200, 200, 200, 429, 429]


def test_a_forged_forwarded_for_header_does_not_reset_the_count(officer: User) -> None:
    guesser = Client(REMOTE_ADDR="198.51.100.10")

    statuses = [
        attempt(guesser, LOGIN, f"ai-do-{n}", "sai", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
        for n in range(6)
    ]

    assert statuses == [200, 200, 200, 200, 429, 429]
