"""Administrative areas with validity periods, their successions, agencies and routing rules.

An area is identified by its official code *and* its validity period: since the reform of
1 July 2025 the same code names a different area (21025 was Phường Nguyễn Nghiêm, is now Phường
Cẩm Thành), so nothing may look an area up by code alone.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.gis.db import models
from django.contrib.gis.geos import Point
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AreaLevel(models.TextChoices):
    PROVINCE = "province", _("Cấp tỉnh")
    DISTRICT = "district", _("Cấp huyện")
    COMMUNE = "commune", _("Cấp xã")


# Lowest level first: the order of a lookup's answer and of routing specificity.
LEVEL_RANK = {AreaLevel.COMMUNE: 0, AreaLevel.DISTRICT: 1, AreaLevel.PROVINCE: 2}


class AreaType(models.TextChoices):
    PROVINCE = "Tỉnh", _("Tỉnh")
    CENTRAL_CITY = "Thành phố trung ương", _("Thành phố trực thuộc trung ương")
    PROVINCIAL_CITY = "Thành phố", _("Thành phố")
    TOWN = "Thị xã", _("Thị xã")
    URBAN_DISTRICT = "Quận", _("Quận")
    RURAL_DISTRICT = "Huyện", _("Huyện")
    WARD = "Phường", _("Phường")
    COMMUNE = "Xã", _("Xã")
    TOWNSHIP = "Thị trấn", _("Thị trấn")
    SPECIAL_ZONE = "Đặc khu", _("Đặc khu")


# The tolerance of `Area.outline`, in degrees (about 55 m at Quảng Ngãi's latitude).
AREA_OUTLINE_TOLERANCE_DEGREES = 0.0005


class AreaQuerySet(models.QuerySet["Area"]):
    def on(self, day: datetime.date) -> AreaQuerySet:
        """Areas valid on `day`: `valid_from` ≤ day ≤ `valid_to` (an empty `valid_to` means current)."""
        return self.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day)

    def current(self) -> AreaQuerySet:
        """Areas valid today in Vietnam (Asia/Ho_Chi_Minh), whatever the server's clock zone."""
        from geoapp.clock import vietnam_today

        return self.on(vietnam_today())

    def containing(self, point: Point, *, on: datetime.date) -> AreaQuerySet:
        """Areas whose boundary covers `point` on the date `on`, lowest level first.

        ST_Covers (not ST_Contains) so a point exactly on a boundary still finds an area; the
        test runs on the pieces of the boundaries (AreaPiece), whose GiST index narrows the
        candidates to a few small polygons before the exact test.
        """
        return (
            self.on(on)
            .filter(id__in=AreaPiece.objects.filter(piece__covers=point).values("area_id"))
            .order_by(
                models.Case(
                    *(models.When(level=level, then=rank) for level, rank in LEVEL_RANK.items())
                ),
                "code",
            )
        )


class Area(models.Model):
    """An administrative unit (province, district or commune level) during one validity period."""

    code = models.CharField(_("mã"), max_length=10, db_index=True)
    name = models.CharField(_("tên"), max_length=200)
    area_type = models.CharField(_("loại"), max_length=30, choices=AreaType.choices)
    level = models.CharField(_("cấp"), max_length=10, choices=AreaLevel.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valid_from = models.DateField(_("hiệu lực từ"))
    valid_to = models.DateField(
        _("hiệu lực đến"), null=True, blank=True, help_text=_("Để trống nếu còn hiệu lực.")
    )
    boundary = models.MultiPolygonField(_("ranh giới"), srid=4326)
    area_km2 = models.FloatField(_("diện tích (km²)"))
    label_point = models.PointField(_("điểm đặt nhãn"), srid=4326)
    is_approximate = models.BooleanField(
        _("ranh giới gần đúng"),
        default=False,
        help_text=_("Ranh giới do hệ thống tạo ra, không phải ranh giới chính thức."),
    )
    source = models.CharField(_("nguồn dữ liệu"), max_length=255, blank=True)
    # The boundary simplified for maps of the whole territory (choropleths of thousands of
    # communes): reading and writing the full boundaries of 3,321 communes took 6.7–10 s, the
    # outlines a small fraction (docs/benchmarks.md, "Indicators"). A column PostgreSQL computes
    # whenever the boundary is written, so it can never lag behind it. 0.0005° is about 55 m,
    # below a pixel at the zooms a province or district map is read at.
    outline = models.GeneratedField(
        expression=models.Func(
            models.Func(
                models.F("boundary"),
                models.Value(AREA_OUTLINE_TOLERANCE_DEGREES),
                function="ST_SimplifyPreserveTopology",
            ),
            function="ST_Multi",
            output_field=models.MultiPolygonField(srid=4326),
        ),
        output_field=models.MultiPolygonField(srid=4326),
        db_persist=True,
        verbose_name=_("ranh giới giản lược"),
    )

    objects = AreaQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["code", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "valid_from"], name="area_code_valid_from_unique"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="area_valid_to_after_valid_from",
            ),
        ]
        indexes = [
            models.Index(fields=["level", "valid_from", "valid_to"], name="area_level_validity")
        ]

    def __str__(self) -> str:
        until = self.valid_to.isoformat() if self.valid_to else "…"
        return f"{self.name} ({self.code}, {self.valid_from.isoformat()}–{until})"

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


# The most vertices a piece of a boundary keeps (ST_Subdivide's max_vertices). Point-in-polygon
# costs grow with the vertices tested and read: a real commune has up to 7,934 and the province
# 35,386, all read and tested for every report it routes. 256 measured best of 32-512 on the real
# province (docs/benchmarks.md, "Filing in one process (issue 9)").
AREA_PIECE_MAX_VERTICES = 256


class AreaPiece(models.Model):
    """A piece of an area's boundary: the boundary cut by ST_Subdivide into polygons of at most
    AREA_PIECE_MAX_VERTICES vertices, which together cover exactly the area.

    Derived data, for point lookups only: the pieces' small bounding boxes let the GiST index
    pick the one or two pieces that can hold a point, and the exact test then reads and tests a
    few dozen vertices instead of the whole boundary. Written by the services that store a
    boundary (`wards.services`), in the same transaction.
    """

    area = models.ForeignKey(
        Area, verbose_name=_("đơn vị hành chính"), on_delete=models.CASCADE, related_name="pieces"
    )
    piece = models.PolygonField(_("mảnh ranh giới"), srid=4326)

    class Meta:
        verbose_name = _("mảnh ranh giới")
        verbose_name_plural = _("mảnh ranh giới")

    def __str__(self) -> str:
        return f"{self.area_id}: {self.piece.num_points}"


class AreaSuccession(models.Model):
    """One edge of a reform: `predecessor` passed (all or a `share` of it) to `successor`."""

    predecessor = models.ForeignKey(
        Area, verbose_name=_("đơn vị cũ"), on_delete=models.CASCADE, related_name="successions"
    )
    successor = models.ForeignKey(
        Area, verbose_name=_("đơn vị mới"), on_delete=models.CASCADE, related_name="predecessions"
    )
    effective_on = models.DateField(_("ngày hiệu lực"))
    share = models.DecimalField(
        _("tỷ lệ"),
        max_digits=5,
        decimal_places=4,
        default=1,
        help_text=_("Phần của đơn vị cũ chuyển sang đơn vị mới; 1 khi nhập nguyên trạng."),
    )

    class Meta:
        verbose_name = _("kế thừa đơn vị hành chính")
        verbose_name_plural = _("kế thừa đơn vị hành chính")
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="area_succession_unique"
            ),
            models.CheckConstraint(
                condition=Q(share__gt=0) & Q(share__lte=1), name="area_succession_share_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.share})"


class AgencyKind(models.TextChoices):
    PEOPLES_COMMITTEE = "peoples_committee", _("Ủy ban nhân dân")
    DEPARTMENT = "department", _("Sở, phòng, ban")
    UTILITY = "utility", _("Đơn vị dịch vụ công ích")
    POLICE = "police", _("Công an")
    OTHER = "other", _("Khác")


class Agency(models.Model):
    """A unit that handles work (cơ quan, đơn vị): a People's Committee, a department, a utility."""

    code = models.SlugField(_("mã đơn vị"), max_length=60, unique=True)
    name = models.CharField(_("tên đơn vị"), max_length=255)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=255, blank=True)
    kind = models.CharField(_("loại đơn vị"), max_length=20, choices=AgencyKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    jurisdiction = models.ManyToManyField(
        Area, verbose_name=_("địa bàn phụ trách"), blank=True, related_name="agencies"
    )
    email = models.EmailField(_("thư điện tử"), blank=True)
    phone = models.CharField(_("điện thoại"), max_length=30, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("cơ quan, đơn vị")
        verbose_name_plural = _("cơ quan, đơn vị")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RoutingRule(models.Model):
    """(category, area) → agency. The most specific rule wins: a rule on a commune beats one on
    its district or province, and a rule for a category beats a rule for every category.

    `category_code` is the incident category's (Open311 service) code rather than a foreign key,
    so `wards` does not depend on the apps that route through it; empty means every category.
    """

    category_code = models.CharField(_("mã lĩnh vực"), max_length=60, blank=True)
    area = models.ForeignKey(
        Area, verbose_name=_("địa bàn"), on_delete=models.CASCADE, related_name="routing_rules"
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("đơn vị xử lý"),
        on_delete=models.PROTECT,
        related_name="routing_rules",
    )
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("quy tắc chuyển xử lý")
        verbose_name_plural = _("quy tắc chuyển xử lý")
        constraints = [
            models.UniqueConstraint(fields=["category_code", "area"], name="routing_rule_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.category_code or '*'} @ {self.area.code} → {self.agency}"


class AgencyRole(models.TextChoices):
    OFFICER = "officer", _("Cán bộ")
    MANAGER = "manager", _("Lãnh đạo đơn vị")


class AgencyMembership(models.Model):
    """A staff account's role in a unit: it sees and handles that unit's work."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản"),
        on_delete=models.CASCADE,
        related_name="agency_memberships",
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("đơn vị"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(
        _("vai trò"), max_length=10, choices=AgencyRole.choices, default=AgencyRole.OFFICER
    )

    class Meta:
        verbose_name = _("thành viên đơn vị")
        verbose_name_plural = _("thành viên đơn vị")
        constraints = [
            models.UniqueConstraint(fields=["user", "agency"], name="agency_membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.agency} ({self.get_role_display()})"
