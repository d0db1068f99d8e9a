"""Photos: judged by content, EXIF position and time read first, stored without any metadata."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from django.contrib.auth.models import User
from PIL import ExifTags, Image
from PIL.TiffImagePlugin import IFDRational
from pytest_django import Settings

from geoapp.clock import VIETNAM_TIME_ZONE
from geoapp.exceptions import InvalidInput
from incidents import services
from incidents.models import Incident, IncidentEvent, IncidentPhoto

from .conftest import FileReport, jpeg_bytes, png_bytes, upload

PHONE_OWNER = "Nguyen Van Chu May"


def gps_exif(*, latitude: tuple[int, int, float], longitude: tuple[int, int, float]) -> Image.Exif:
    """EXIF as a phone writes it: GPS position, local time, camera model and owner."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Model 12 Pro"
    exif[ExifTags.Base.Artist] = PHONE_OWNER
    exif[ExifTags.Base.Orientation] = 1
    details = exif.get_ifd(ExifTags.IFD.Exif)
    details[ExifTags.Base.DateTimeOriginal] = "2025:10:10 08:30:15"
    details[ExifTags.Base.BodySerialNumber] = "SN-0042"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = tuple(IFDRational(value) for value in latitude)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = tuple(IFDRational(value) for value in longitude)
    return exif


# 15° 3' 0" N, 108° 48' 0" E = (15.05, 108.8), inside Cẩm Thành in the test territory.
PHOTO_WITH_GPS = jpeg_bytes(exif=gps_exif(latitude=(15, 3, 0), longitude=(108, 48, 0)))


def test_the_test_photo_really_carries_gps_and_personal_exif() -> None:
    exif = Image.open(io.BytesIO(PHOTO_WITH_GPS)).getexif()

    assert exif[ExifTags.Base.Artist] == PHONE_OWNER
    assert exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "N"
    assert PHONE_OWNER.encode() in PHOTO_WITH_GPS


def test_the_exif_position_and_time_are_read_to_propose_them(db: None) -> None:
    metadata = services.photo_metadata_read(file=upload("IMG_0001.jpg", PHOTO_WITH_GPS))

    assert metadata.point is not None
    assert metadata.point.coords == pytest.approx((108.8, 15.05))
    assert metadata.taken_at == datetime(2025, 10, 10, 8, 30, 15, tzinfo=VIETNAM_TIME_ZONE)


def test_southern_and_western_references_give_negative_coordinates(db: None) -> None:
    exif = gps_exif(latitude=(33, 52, 4.2), longitude=(151, 12, 36))
    exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] = "S"
    exif.get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLongitudeRef] = "W"

    metadata = services.photo_metadata_read(file=upload("a.jpg", jpeg_bytes(exif=exif)))

    assert metadata.point is not None
    assert metadata.point.coords == pytest.approx((-151.21, -33.8678333))


def test_a_photo_without_exif_proposes_nothing(db: None) -> None:
    metadata = services.photo_metadata_read(file=upload("a.jpg", jpeg_bytes()))

    assert (metadata.point, metadata.taken_at) == (None, None)


def test_a_stored_photo_keeps_no_exif_and_remembers_the_proposed_position(
    file_report: FileReport,
) -> None:
    incident = file_report(photos=[upload("IMG_0001.jpg", PHOTO_WITH_GPS)]).incident

    photo = incident.photos.get()
    stored = photo.image.read()
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG"
        assert len(image.getexif()) == 0
        assert "exif" not in image.info
        assert image.size == (64, 48)
    assert b"Exif" not in stored
    assert PHONE_OWNER.encode() not in stored
    assert b"SN-0042" not in stored
    assert photo.exif_location is not None
    assert photo.exif_location.coords == pytest.approx((108.8, 15.05))
    assert photo.taken_at == datetime(2025, 10, 10, 8, 30, 15, tzinfo=VIETNAM_TIME_ZONE)
    assert (photo.kind, photo.content_type, photo.width, photo.height) == (
        "report",
        "image/jpeg",
        64,
        48,
    )


def test_the_stored_name_does_not_keep_the_uploaded_name(file_report: FileReport) -> None:
    incident = file_report(photos=[upload("Nguyen_Van_A_nha_rieng.jpg", jpeg_bytes())]).incident

    photo = incident.photos.get()
    name = photo.image.name
    assert name is not None
    assert "Nguyen" not in name
    assert name.endswith(".jpg")


def test_a_thumbnail_of_at_most_320_pixels_is_made(file_report: FileReport) -> None:
    incident = file_report(photos=[upload("big.jpg", jpeg_bytes(size=(1280, 960)))]).incident

    with Image.open(incident.photos.get().thumbnail) as thumbnail:
        assert thumbnail.size == (320, 240)
        assert len(thumbnail.getexif()) == 0


def test_a_png_with_transparency_stays_a_png(file_report: FileReport) -> None:
    incident = file_report(photos=[upload("map.png", png_bytes(), "image/png")]).incident

    photo = incident.photos.get()
    with Image.open(photo.image) as image:
        assert (image.format, image.mode) == ("PNG", "RGBA")
    assert photo.content_type == "image/png"


def test_a_webp_photo_is_accepted(file_report: FileReport) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (30, 20), "blue").save(buffer, "WEBP")

    incident = file_report(photos=[upload("a.webp", buffer.getvalue(), "image/webp")]).incident

    assert incident.photos.get().content_type == "image/webp"


def test_a_photo_is_turned_upright_before_its_orientation_tag_is_dropped(
    file_report: FileReport,
) -> None:
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # "rotate 90° clockwise to display"
    sideways = jpeg_bytes(size=(60, 20), exif=exif)

    incident = file_report(photos=[upload("a.jpg", sideways)]).incident

    photo = incident.photos.get()
    assert (photo.width, photo.height) == (20, 60)


def counts() -> tuple[int, int, int]:
    return Incident.objects.count(), IncidentEvent.objects.count(), IncidentPhoto.objects.count()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("anh.jpg", b"%PDF-1.7 this is a document, not a photo" * 10),
        ("anh.jpg", b"<html><script>alert(1)</script></html>"),
        ("anh.jpg", jpeg_bytes()[:200]),
    ],
    ids=["a pdf named .jpg", "html named .jpg", "a truncated jpeg"],
)
def test_a_file_that_is_not_an_image_is_refused_by_its_content_and_nothing_is_written(
    file_report: FileReport, name: str, content: bytes
) -> None:
    with pytest.raises(InvalidInput) as refused:
        file_report(photos=[upload(name, content)])

    assert refused.value.code == "not_an_image"
    assert counts() == (0, 0, 0)


def test_an_empty_file_is_refused_as_empty_and_nothing_is_written(file_report: FileReport) -> None:
    with pytest.raises(InvalidInput) as refused:
        file_report(photos=[upload("anh.png", b"")])

    assert (refused.value.code, refused.value.message) == ("empty_file", "Tệp ảnh rỗng (0 byte).")
    assert counts() == (0, 0, 0)


def test_an_image_in_a_format_not_accepted_is_refused(file_report: FileReport) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "GIF")

    with pytest.raises(InvalidInput) as refused:
        file_report(photos=[upload("a.jpg", buffer.getvalue())])

    assert refused.value.code == "not_an_image"
    assert counts() == (0, 0, 0)


def test_a_photo_over_the_size_limit_is_refused(
    file_report: FileReport, settings: Settings
) -> None:
    settings.INCIDENT_PHOTO_MAX_BYTES = 2_000
    # Noise does not compress: the JPEG is certainly larger than the limit.
    noisy = Image.effect_noise((400, 400), 80).convert("RGB")
    buffer = io.BytesIO()
    noisy.save(buffer, "JPEG")
    big = buffer.getvalue()
    assert len(big) > 2_000

    with pytest.raises(InvalidInput) as refused:
        file_report(photos=[upload("big.jpg", big)])

    assert refused.value.code == "photo_too_large"
    assert "0.002 MB" in refused.value.message
    assert counts() == (0, 0, 0)


def test_one_bad_photo_among_good_ones_leaves_nothing_behind(file_report: FileReport) -> None:
    with pytest.raises(InvalidInput):
        file_report(photos=[upload("a.jpg", jpeg_bytes()), upload("b.jpg", b"not an image")])

    assert counts() == (0, 0, 0)


def test_a_resolution_photo_is_stored_as_evidence(file_report: FileReport, officer_a: User) -> None:
    incident = file_report().incident
    services.incident_acknowledge(actor=officer_a, incident=incident)

    services.incident_resolve(
        actor=officer_a,
        incident=incident,
        answer="Đã vá xong",
        evidence_photo=upload("sau.jpg", PHOTO_WITH_GPS),
    )

    photo = incident.photos.get()
    assert photo.kind == "evidence"
    assert incident.events.latest("id").data == {"evidence_photo_id": photo.pk}
    assert b"Exif" not in photo.image.read()


def test_a_bad_evidence_photo_refuses_the_resolution_and_changes_nothing(
    file_report: FileReport, officer_a: User
) -> None:
    from .conftest import snapshot

    incident = file_report().incident
    services.incident_acknowledge(actor=officer_a, incident=incident)
    before = snapshot(incident)

    with pytest.raises(InvalidInput):
        services.incident_resolve(
            actor=officer_a,
            incident=incident,
            answer="Đã vá xong",
            evidence_photo=upload("sau.jpg", b"GIF89a not really"),
        )

    assert snapshot(incident) == before
