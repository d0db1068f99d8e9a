"""The administrators' view of reports in Django's admin site."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.test import Client

from .conftest import FileReport


def test_the_admin_shows_a_report_without_its_secrets_or_generated_map_text(
    file_report: FileReport,
) -> None:
    incident = file_report().incident
    superuser = User.objects.create_superuser("quan-tri-he-thong", password="mật-khẩu-thử")
    client = Client()
    client.force_login(superuser)

    response = client.get(f"/admin/incidents/incident/{incident.pk}/change/")

    html = response.content.decode()
    assert response.status_code == 200
    assert incident.tracking_code in html
    for hidden in (
        "reporter_token_hash",
        "client_fingerprint",
        "map_feature_head",
        "map_feature_tail",
    ):
        assert hidden not in html
