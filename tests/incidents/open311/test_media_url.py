"""Open311 `media_url`: the app's own public photo address, which checks on every request that the
photo and its report are public, never the storage's fixed path (issue 8, finding 7)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree

from django.test import Client

from incidents.models import Incident, IncidentPhoto
from tests.conftest import Territory

from ..conftest import FileReport, jpeg_bytes, upload

BASE = "/open311/v2"


def listed(client: Client, code: str) -> tuple[dict[str, object], ElementTree.Element]:
    """The report as Open311 JSON and XML give it, by its code."""
    as_json = client.get(f"{BASE}/requests/{code}.json")
    as_xml = client.get(f"{BASE}/requests/{code}.xml")
    assert (as_json.status_code, as_xml.status_code) == (200, 200)
    request = ElementTree.fromstring(as_xml.content).find("request")
    assert request is not None
    return json.loads(as_json.content)[0], request


def test_media_url_is_the_public_photo_page_which_stops_serving_once_the_photo_is_hidden(
    territory: Territory, file_report: FileReport
) -> None:
    """Issue 8, finding 7: media_url pointed at /media/…, a fixed address that hiding a photo
    cannot take back if a web server serves that folder."""
    incident = file_report(photos=[upload("anh.jpg", jpeg_bytes())]).incident
    photo = IncidentPhoto.objects.get(incident=incident)
    client = Client()
    address = f"http://testserver/phan-anh/{incident.tracking_code}/anh/{photo.pk}/"

    as_json, as_xml = listed(client, incident.tracking_code)

    assert as_json["media_url"] == address
    assert as_xml.findtext("media_url") == address
    served = client.get(address)
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == photo.image.open("rb").read()  # type: ignore[attr-defined]

    IncidentPhoto.objects.filter(pk=photo.pk).update(is_hidden=True)

    as_json, as_xml = listed(client, incident.tracking_code)
    assert as_json["media_url"] is None
    assert as_xml.findtext("media_url") == ""
    assert client.get(address).status_code == 404


def test_media_url_is_omitted_without_a_public_photo_even_when_the_submitter_gave_a_link(
    territory: Territory, file_report: FileReport
) -> None:
    """Issue 8, finding 7: a link the submitter typed is not moderated and photo-hiding cannot
    reach it, so it is kept for the unit and never published."""
    incident = file_report(media_url="https://anh.example.vn/o-ga.jpg").incident

    as_json, as_xml = listed(Client(), incident.tracking_code)

    assert as_json["media_url"] is None
    assert as_xml.findtext("media_url") == ""
    assert Incident.objects.get(pk=incident.pk).media_url == "https://anh.example.vn/o-ga.jpg"


def test_no_route_of_the_app_serves_the_stored_files(
    territory: Territory, file_report: FileReport
) -> None:
    """Issue 8, finding 7: photos are served only through the views that check them."""
    incident = file_report(photos=[upload("anh.jpg", jpeg_bytes())]).incident
    photo = IncidentPhoto.objects.get(incident=incident)

    for name in (photo.image.name, photo.thumbnail.name):
        assert Client().get(f"/media/{name}").status_code == 404
