"""The weekly report's PDF (WeasyPrint, Vietnamese text in DejaVu Sans, the maps drawn from the
dashboard's data, no personal data, nothing fetched from outside) and the link each leader is
sent once through the notifications outbox."""

from __future__ import annotations

import datetime
import re
import subprocess
import zlib
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.core import mail
from django.db.models import F
from django.test import Client
from django.utils import timezone
from PIL import Image
from pytest_django import DjangoCaptureOnCommitCallbacks

from geoapp.clock import vietnam_today
from incidents.models import Incident
from ioc.charts import HOTSPOT_PALETTE
from ioc.models import WeeklyReport
from ioc.report_documents import StaticFilesOnly, pdf_from_printable_page
from ioc.report_notices import KIND_WEEKLY_REPORT
from ioc.selectors import Ranking, RankingRow, Rate
from ioc.services import ranking_excerpt, week_before, weekly_report_produce
from ioc.tasks import produce_weekly_report
from notifications.models import Notification
from notifications.services import notification_send
from tests.ioc.conftest import Reports


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def filed_last_week() -> datetime.date:
    Incident.objects.update(reported_at=F("reported_at") - datetime.timedelta(days=7))
    return week_before(vietnam_today())


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_streams(pdf: bytes) -> bytes:
    """The PDF's streams uncompressed (its objects and annotations are in compressed streams)."""
    streams = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, flags=re.DOTALL):
        try:
            streams.append(zlib.decompress(stream))
        except zlib.error:
            continue  # an image or font stream that is not Flate, or not whole
    return b"\n".join(streams)


def rendered_colours(pdf: bytes, tmp_path: Path) -> set[tuple[int, int, int]]:
    """The colours of the PDF's pages rendered by poppler (pdftoppm), as a person would see them."""
    path = tmp_path / "colours.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(path), str(tmp_path / "page")], check=True)
    colours: set[tuple[int, int, int]] = set()
    for page in sorted(tmp_path.glob("page*.png")):
        with Image.open(page) as image:
            counted = image.convert("RGB").getcolors(maxcolors=1 << 20) or []
            colours |= {
                (colour[0], colour[1], colour[2])
                for _count, colour in counted
                if isinstance(colour, tuple)
            }
    return colours


def colour_drawn(hex_colour: str, colours: set[tuple[int, int, int]]) -> bool:
    wanted = tuple(int(hex_colour[index : index + 2], 16) for index in (1, 3, 5))
    return any(
        all(abs(have - want) <= 6 for have, want in zip(colour, wanted, strict=True))
        for colour in colours
    )


def pdf_fonts(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout


def account(username: str, *, email: str, group: str | None = None) -> User:
    user = User.objects.create_user(username=username, password="mật-khẩu-thử", email=email)
    if group is not None:
        # Found or made: a transactional test (the browser's) flushes the migrations' groups.
        user.groups.add(Group.objects.get_or_create(name=group)[0])
    return user


# The PDF


def test_the_pdf_holds_the_weeks_figures_maps_rankings_and_overdue_list_in_vietnamese(
    reports: Reports, tmp_path: Path
) -> None:
    week = filed_last_week()

    report = weekly_report_produce(week_start=week, now=timezone.now())

    pdf = bytes(report.pdf)
    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf, tmp_path)
    end = week + datetime.timedelta(days=6)
    assert f"Báo cáo tuần: {week:%d/%m/%Y} – {end:%d/%m/%Y}" in text
    for heading in (
        "Phản ánh, kiến nghị",
        "Hồ sơ thủ tục hành chính",
        "Điểm nóng phản ánh",
        "Tỷ lệ giải quyết đúng hạn theo xã, phường",
        "Xếp hạng xã, phường",
        "Xếp hạng đơn vị xử lý",
        "Phản ánh quá hạn",
    ):
        assert heading in text, heading
    # The overdue list: the two open reports of Cẩm Thành past their deadline, by code.
    for overdue in reports.cam_thanh[3:5]:
        assert overdue.tracking_code in text
    for open_in_time in reports.an_phu[1:]:
        assert open_in_time.tracking_code not in text
    # The on-time rate of the week, with its numerator and denominator.
    assert "75.0% (3/4)" in text
    # The communes of the rankings link to their area pages on the site.
    links = re.findall(rb"/dieu-hanh/khu-vuc/(\d{5})/", pdf_streams(pdf))
    assert sorted(set(links)) == [b"21025", b"21034"]
    # Both maps are drawn: the choropleth's fill of each commune and the hottest hexagon's colour
    # are on the rendered pages.
    fills = set(
        re.findall(r'class="commune" d="[^"]*" fill="(#[0-9a-f]{6})"', report.printable_html)
    )
    assert len(fills) == 2  # Cẩm Thành 66.7 %, An Phú 100 %: two classes
    colours = rendered_colours(pdf, tmp_path)
    for colour in fills:
        assert colour_drawn(colour, colours), colour
    # The hexagons are drawn at 75 % opacity over the map's background (#f7fafc).
    hottest = "#" + "".join(
        f"{round(0.75 * int(HOTSPOT_PALETTE[-1][i : i + 2], 16) + 0.25 * background):02x}"
        for i, background in ((1, 0xF7), (3, 0xFA), (5, 0xFC))
    )
    assert colour_drawn(hottest, colours), hottest
    # Every font is DejaVu Sans (it has every Vietnamese letter), embedded.
    fonts = [line.split() for line in pdf_fonts(pdf, tmp_path).splitlines()[2:]]
    assert fonts
    assert all(font[0].split("+", 1)[1].startswith("DejaVu-Sans") for font in fonts), fonts
    assert all(font[-5] == "yes" for font in fonts), fonts  # the "emb" column


def test_the_pdf_carries_no_personal_data(reports: Reports, tmp_path: Path) -> None:
    week = filed_last_week()

    report = weekly_report_produce(week_start=week, now=timezone.now())

    text = pdf_text(bytes(report.pdf), tmp_path)
    for private in ("Trần Thị Bình", "0905 123 456", "binh@example.vn", "Ổ gà sâu"):
        assert private not in text
        assert private not in report.printable_html
        assert private.encode() not in bytes(report.pdf)


def test_the_pdf_fetches_only_the_apps_own_static_files() -> None:
    fetcher = StaticFilesOnly()
    stylesheet = fetcher.fetch(f"{settings.SITE_URL}/static/css/ioc.css")

    assert stylesheet.headers["Content-Type"] == "text/css"
    inline = fetcher.fetch("data:image/svg+xml;base64,PHN2Zy8+")  # the maps, inside the page
    assert inline.read() == b"<svg/>"
    for elsewhere in (
        "https://unpkg.com/leaflet/dist/leaflet.css",
        "http://example.com/static/css/ioc.css",
        "file:///etc/passwd",
        f"{settings.SITE_URL}/dieu-hanh/",
    ):
        with pytest.raises(ValueError, match="nothing outside the app"):
            fetcher.fetch(elsewhere)


def test_a_page_naming_an_outside_resource_is_rendered_without_it(tmp_path: Path) -> None:
    pdf = pdf_from_printable_page(
        '<html><head><link rel="stylesheet" href="https://cdn.example.com/x.css"></head>'
        '<body><h1>Báo cáo tuần</h1><img src="http://example.com/logo.png" alt=""></body></html>'
    )

    assert "Báo cáo tuần" in pdf_text(pdf, tmp_path)


# Kept, listed, downloadable


def test_a_leader_downloads_the_pdf_listed_beside_the_workbook(
    reports: Reports, leader: User
) -> None:
    week = weekly_report_produce(week_start=filed_last_week(), now=timezone.now()).week_start
    client = signed_in(leader)

    listed = client.get("/dieu-hanh/").content.decode()
    download = client.get(f"/dieu-hanh/bao-cao-tuan/{week.isoformat()}.pdf")

    assert f'href="/dieu-hanh/bao-cao-tuan/{week.isoformat()}.pdf"' in listed
    assert f'href="/dieu-hanh/bao-cao-tuan/{week.isoformat()}.xlsx"' in listed
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == (
        f'attachment; filename="bao-cao-tuan-{week.isoformat()}.pdf"'
    )
    assert download.content == bytes(WeeklyReport.objects.get().pdf)


def test_an_unknown_or_malformed_week_or_a_report_without_pdf_answers_404(
    reports: Reports, leader: User
) -> None:
    week = weekly_report_produce(week_start=filed_last_week(), now=timezone.now()).week_start
    WeeklyReport.objects.create(
        week_start=week - datetime.timedelta(days=7),
        produced_at=timezone.now(),
        workbook=b"",
        printable_html="",
    )  # produced before the PDF existed
    client = signed_in(leader)

    for path in (
        "/dieu-hanh/bao-cao-tuan/2001-01-01.pdf",
        "/dieu-hanh/bao-cao-tuan/khong-phai-ngay.pdf",
        f"/dieu-hanh/bao-cao-tuan/{week - datetime.timedelta(days=7)}.pdf",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
    assert WeeklyReport.objects.count() == 2


def test_an_officer_or_a_visitor_may_not_download_the_pdf(
    reports: Reports, officer_a: User
) -> None:
    week = weekly_report_produce(week_start=filed_last_week(), now=timezone.now()).week_start
    path = f"/dieu-hanh/bao-cao-tuan/{week.isoformat()}.pdf"

    assert signed_in(officer_a).get(path).status_code == 403
    anonymous = Client().get(path)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/dang-nhap/") or "login" in anonymous["Location"]


# The leaders are sent a link, once


@pytest.fixture
def people(db: None) -> dict[str, User]:
    """Leaders of the group, a leader by the IOC permission alone, and those who are not told."""
    by_permission = account("chanh-van-phong", email="cvp@quangngai.gov.vn")
    by_permission.user_permissions.add(
        Permission.objects.get(content_type__app_label="ioc", codename="view_operations_centre")
    )
    inactive = account("nguyen-lanh-dao", email="cu@quangngai.gov.vn", group="Lãnh đạo")
    inactive.is_active = False
    inactive.save()
    return {
        "chairman": account("chu-tich", email="chutich@quangngai.gov.vn", group="Lãnh đạo"),
        "vice_chairman": account("pho-chu-tich", email="pct@quangngai.gov.vn", group="Lãnh đạo"),
        "by_permission": by_permission,
        "no_address": account("lanh-dao-khong-thu", email="", group="Lãnh đạo"),
        "inactive": inactive,
        "administrator": account("quan-tri-vien", email="qt@quangngai.gov.vn", group="Quản trị viên"),
        "citizen": account("nguoi-dan", email="dan@example.vn"),
    }  # fmt: skip


def test_each_leader_with_an_address_is_sent_a_link_to_the_pdf(
    reports: Reports,
    people: dict[str, User],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    week = filed_last_week()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        produce_weekly_report()

    assert len(callbacks) == 3  # one dispatch per message, after the commit
    messages = Notification.objects.filter(kind=KIND_WEEKLY_REPORT).order_by("address")
    assert [message.address for message in messages] == [
        "chutich@quangngai.gov.vn",
        "cvp@quangngai.gov.vn",
        "pct@quangngai.gov.vn",
    ]
    report = WeeklyReport.objects.get()
    for message in messages:
        assert message.recipient_role == "leader"
        assert message.channel == "email"
        assert message.about == report
        assert message.subject == (
            f"Báo cáo tuần {week:%d/%m/%Y} / Weekly report of {week:%d/%m/%Y}"
        )
        assert f"{settings.SITE_URL}/dieu-hanh/bao-cao-tuan/{week.isoformat()}.pdf" in message.body
        assert f"{settings.SITE_URL}/dieu-hanh/bao-cao-tuan/{week.isoformat()}.xlsx" in message.body
        for private in ("Trần Thị Bình", "0905 123 456", "binh@example.vn"):
            assert private not in message.body
    user_ids = sorted(int(message.dedupe_key.rsplit(":", 1)[1]) for message in messages)
    assert user_ids == sorted(
        people[name].pk for name in ("chairman", "vice_chairman", "by_permission")
    )


def test_producing_the_week_again_sends_nobody_a_second_link(
    reports: Reports,
    people: dict[str, User],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    week = filed_last_week()
    weekly_report_produce(week_start=week, now=timezone.now())
    first = set(Notification.objects.values_list("pk", "dedupe_key", "body"))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        weekly_report_produce(week_start=week, now=timezone.now())

    assert set(Notification.objects.values_list("pk", "dedupe_key", "body")) == first
    assert callbacks == []  # nothing new to dispatch
    assert WeeklyReport.objects.count() == 1


def test_a_leader_added_since_is_told_when_the_week_is_produced_again(
    reports: Reports, people: dict[str, User]
) -> None:
    week = filed_last_week()
    weekly_report_produce(week_start=week, now=timezone.now())
    newcomer = account("pho-chu-tich-moi", email="pct2@quangngai.gov.vn", group="Lãnh đạo")

    weekly_report_produce(week_start=week, now=timezone.now())

    messages = Notification.objects.filter(kind=KIND_WEEKLY_REPORT)
    assert sorted(messages.values_list("address", flat=True)) == [
        "chutich@quangngai.gov.vn",
        "cvp@quangngai.gov.vn",
        "pct2@quangngai.gov.vn",
        "pct@quangngai.gov.vn",
    ]
    assert Notification.objects.filter(dedupe_key__endswith=f":user:{newcomer.pk}").count() == 1


def test_another_week_is_a_new_message(reports: Reports, people: dict[str, User]) -> None:
    week = filed_last_week()
    weekly_report_produce(week_start=week, now=timezone.now())

    weekly_report_produce(week_start=week - datetime.timedelta(days=7), now=timezone.now())

    assert Notification.objects.filter(kind=KIND_WEEKLY_REPORT).count() == 6
    assert WeeklyReport.objects.count() == 2


def test_the_outbox_delivers_each_link_by_email(reports: Reports, people: dict[str, User]) -> None:
    week = filed_last_week()
    weekly_report_produce(week_start=week, now=timezone.now())

    for message in Notification.objects.filter(kind=KIND_WEEKLY_REPORT):
        assert notification_send(notification_id=message.pk) == "sent"

    assert sorted(address for message in mail.outbox for address in message.to) == [
        "chutich@quangngai.gov.vn",
        "cvp@quangngai.gov.vn",
        "pct@quangngai.gov.vn",
    ]
    assert all(
        f"/dieu-hanh/bao-cao-tuan/{week.isoformat()}.pdf" in message.body for message in mail.outbox
    )


def test_the_printed_rankings_keep_the_best_and_the_worst_and_leave_the_rest_to_the_workbook() -> (
    None
):
    def row(name: str, resolved: int) -> RankingRow:
        return RankingRow(
            key=name, name=name, resolved=resolved, on_time=Rate(0, 0), satisfaction=Rate(0, 0),
            open=0, overdue=0,
        )  # fmt: skip

    ranked = [row(f"r{index:02d}", 10) for index in range(50)]
    too_few = [row(f"f{index}", 1) for index in range(5)]

    long = ranking_excerpt(Ranking(ranked=ranked, too_few=too_few), rows=10)
    short = ranking_excerpt(Ranking(ranked=ranked[:4], too_few=too_few), rows=10)

    assert [(position, r.name) for position, r in long.rows] == [
        (1, "r00"), (2, "r01"), (3, "r02"), (4, "r03"), (5, "r04"),
        (46, "r45"), (47, "r46"), (48, "r47"), (49, "r48"), (50, "r49"),
    ]  # fmt: skip
    assert long.left_out == 45
    assert [(position, r.name) for position, r in short.rows] == [
        (1, "r00"), (2, "r01"), (3, "r02"), (4, "r03"),
        (None, "f0"), (None, "f1"), (None, "f2"), (None, "f3"), (None, "f4"),
    ]  # fmt: skip
    assert short.left_out == 0


def pdf_links(pdf: bytes) -> list[tuple[str, tuple[float, ...]]]:
    """Each link annotation of the PDF, in the order of its pages: its address and its rectangle
    (x0, y0, x1, y1 in points from the page's lower left corner)."""
    found = re.findall(
        rb"/Subtype\s*/Link\s*/Rect\s*\[([-\d. ]+)\].*?/URI\s*\(([^)]*)\)", pdf_streams(pdf)
    )
    return [
        (address.decode(), tuple(float(number) for number in rectangle.split()))
        for rectangle, address in found
    ]


def test_each_commune_on_the_pdfs_maps_links_to_its_page_for_the_week(
    reports: Reports, tmp_path: Path
) -> None:
    week = filed_last_week()
    end = week + datetime.timedelta(days=6)

    pdf = bytes(weekly_report_produce(week_start=week, now=timezone.now()).pdf)

    def page_of(code: str) -> str:
        return (
            f"{settings.SITE_URL}/dieu-hanh/khu-vuc/{code}/?from={week:%Y-%m-%d}&to={end:%Y-%m-%d}"
        )

    # The map boxes: squares of 7 mm (19.84 points) centred on a point inside each commune;
    # the rankings' links are lines of text, wider than high.
    boxes = [
        (address, rectangle)
        for address, rectangle in pdf_links(pdf)
        if abs(abs(rectangle[2] - rectangle[0]) - 19.84) < 0.05
        and abs(abs(rectangle[3] - rectangle[1]) - 19.84) < 0.05
    ]
    # Two maps (hotspots, then the on-time rate), each with its two communes, in code order.
    assert [address for address, _rectangle in boxes] == [page_of("21025"), page_of("21034")] * 2
    for map_boxes in (boxes[:2], boxes[2:]):
        (_cam_thanh, lower), (_an_phu, upper) = map_boxes
        # Cẩm Thành (15.0–15.1 N) lies south of An Phú (15.1–15.2 N), on the same meridians,
        # and the map is centred on the page (A4: 595.3 points wide).
        assert max(lower[1], lower[3]) <= min(upper[1], upper[3])
        assert lower[0] == upper[0]
        assert abs((lower[0] + lower[2]) / 2 - 595.28 / 2) < 1
    # What a PDF reader (poppler) finds: the same addresses among the page's links.
    path = tmp_path / "links.pdf"
    path.write_bytes(pdf)
    listed = subprocess.run(
        ["pdfinfo", "-url", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert listed.count(page_of("21025")) == 3  # both maps and the communes' ranking
    assert listed.count(page_of("21034")) == 3
    assert "/can-bo/phan-anh/PA-" not in "".join(address for address, _rect in boxes)
