"""The categories of citizen feedback (lĩnh vực: also the Open311 services) and the questions
each asks of a reporter. Imported by `incidents.models`, which names every model of the app."""

from __future__ import annotations

from django.contrib.gis.db import models
from django.utils.translation import gettext_lazy as _

from wards.models import AgencyKind


class Category(models.Model):
    """A kind of problem a citizen can report; also the Open311 service."""

    code = models.SlugField(_("mã lĩnh vực"), max_length=60, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    group = models.CharField(_("nhóm"), max_length=200, blank=True)
    group_en = models.CharField(_("nhóm (tiếng Anh)"), max_length=200, blank=True)
    description = models.TextField(_("mô tả"), blank=True)
    description_en = models.TextField(_("mô tả tiếng Anh"), blank=True)
    keywords = models.CharField(
        _("từ khóa"),
        max_length=500,
        blank=True,
        help_text=_("Các từ khóa, cách nhau bởi dấu phẩy."),
    )
    acknowledge_within_hours = models.PositiveSmallIntegerField(
        _("tiếp nhận trong (giờ làm việc)"), default=8
    )
    urgent_acknowledge_within_hours = models.PositiveSmallIntegerField(
        _("tiếp nhận khẩn trong (giờ làm việc)"), default=4
    )
    urgent_resolve_within_hours = models.PositiveSmallIntegerField(
        _("xử lý khẩn trong (giờ làm việc)"), default=8
    )
    normal_resolve_within_days = models.PositiveSmallIntegerField(
        _("xử lý thông thường trong (ngày làm việc)"), default=3
    )
    complex_resolve_within_days = models.PositiveSmallIntegerField(
        _("xử lý phức tạp trong (ngày làm việc)"), default=10
    )
    default_agency_kind = models.CharField(
        _("loại đơn vị xử lý mặc định"),
        max_length=20,
        choices=AgencyKind.choices,
        default=AgencyKind.PEOPLES_COMMITTEE,
    )
    duplicate_radius_metres = models.PositiveIntegerField(
        _("bán kính tìm phản ánh trùng (m)"), default=250
    )
    duplicate_window_days = models.PositiveSmallIntegerField(
        _("khoảng thời gian tìm phản ánh trùng (ngày)"), default=30
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    is_active = models.BooleanField(_("đang sử dụng"), default=True)

    class Meta:
        verbose_name = _("lĩnh vực phản ánh")
        verbose_name_plural = _("lĩnh vực phản ánh")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


class AttributeDatatype(models.TextChoices):
    """The Open311 GeoReport v2 attribute datatypes."""

    STRING = "string", _("Chuỗi ngắn")
    NUMBER = "number", _("Số")
    DATETIME = "datetime", _("Ngày giờ")
    TEXT = "text", _("Văn bản")
    SINGLE_VALUE_LIST = "singlevaluelist", _("Chọn một")
    MULTI_VALUE_LIST = "multivaluelist", _("Chọn nhiều")


LIST_DATATYPES = frozenset(
    {AttributeDatatype.SINGLE_VALUE_LIST, AttributeDatatype.MULTI_VALUE_LIST}
)


class CategoryAttribute(models.Model):
    """An extra question of a category (an Open311 attribute).

    `values` lists the choices of a list datatype as `{"key", "name", "name_en"}` objects; the
    answer stored on a report is the key (a list of keys for a multivaluelist).
    """

    category = models.ForeignKey(
        Category, verbose_name=_("lĩnh vực"), on_delete=models.CASCADE, related_name="attributes"
    )
    code = models.SlugField(_("mã"), max_length=60)
    datatype = models.CharField(_("kiểu dữ liệu"), max_length=20, choices=AttributeDatatype.choices)
    description = models.CharField(_("câu hỏi"), max_length=255)
    description_en = models.CharField(_("câu hỏi (tiếng Anh)"), max_length=255, blank=True)
    required = models.BooleanField(_("bắt buộc"), default=False)
    variable = models.BooleanField(
        _("người dân nhập"),
        default=True,
        help_text=_("Open311: câu hỏi người dân trả lời (không phải thông tin cố định)."),
    )
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    values = models.JSONField(_("các lựa chọn"), default=list, blank=True)

    class Meta:
        verbose_name = _("câu hỏi bổ sung")
        verbose_name_plural = _("câu hỏi bổ sung")
        ordering = ["category", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "code"], name="category_attribute_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category.code}: {self.code}"

    def value_keys(self) -> list[str]:
        return [str(choice["key"]) for choice in self.values or []]
