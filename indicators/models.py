"""The indicator catalogue, values per area and period, targets, and the audit of every change.

A value is entered on the area valid at the time (an old commune before 1 July 2025, a new one
after); showing it on other boundaries is the aggregation's work (indicators/aggregation.py),
through the succession table of `wards`, never a rewrite of the stored value.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from indicators.periods import PeriodType
from wards.models import Area

# Values are exact decimals: sums of budgets in đồng and counts of people must add up to the unit.
VALUE_DIGITS = 24
VALUE_DECIMALS = 6


class IndicatorKind(models.TextChoices):
    VALUE = "value", _("Giá trị")
    RATIO = "ratio", _("Tỷ lệ (tử số / mẫu số × hệ số)")
    FORMULA = "formula", _("Công thức")


class AreaAggregation(models.TextChoices):
    SUM = "sum", _("Tổng")
    MEAN = "mean", _("Trung bình")
    WEIGHTED_MEAN = "weighted_mean", _("Trung bình có trọng số")
    RATIO = "ratio", _("Tỷ số của các tổng")
    MIN = "min", _("Nhỏ nhất")
    MAX = "max", _("Lớn nhất")
    NONE = "none", _("Không tổng hợp")


class TimeAggregation(models.TextChoices):
    SUM = "sum", _("Tổng")
    MEAN = "mean", _("Trung bình")
    LAST = "last", _("Giá trị cuối kỳ")


class Direction(models.TextChoices):
    HIGHER_IS_BETTER = "higher", _("Càng cao càng tốt")
    LOWER_IS_BETTER = "lower", _("Càng thấp càng tốt")


class ComputedSource(models.TextChoices):
    """Operational indicators computed by the app from the other systems, by commune and month
    (indicators/services/computed.py); values of these are never entered by hand."""

    FEEDBACK_PER_10000 = "feedback_per_10000", _("Phản ánh trên 10.000 dân")
    FEEDBACK_ON_TIME = "feedback_on_time", _("Tỷ lệ phản ánh xử lý đúng hạn")
    FEEDBACK_HANDLING_DAYS = "feedback_handling_days", _("Thời gian xử lý phản ánh trung bình")
    FEEDBACK_SATISFACTION = "feedback_satisfaction", _("Tỷ lệ hài lòng về xử lý phản ánh")
    DOSSIER_ON_TIME = "dossier_on_time", _("Tỷ lệ hồ sơ giải quyết đúng hạn")
    DOSSIER_ONLINE = "dossier_online", _("Tỷ lệ hồ sơ nộp trực tuyến")


class Indicator(models.Model):
    """One entry of the catalogue (DHIS2's data element and indicator in one)."""

    code = models.SlugField(_("mã chỉ tiêu"), max_length=60, unique=True)
    name_vi = models.CharField(_("tên tiếng Việt"), max_length=255)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=255)
    unit = models.CharField(_("đơn vị tính"), max_length=60)
    definition = models.TextField(_("định nghĩa"), blank=True)
    source = models.CharField(_("nguồn số liệu"), max_length=255, blank=True)
    kind = models.CharField(_("loại"), max_length=10, choices=IndicatorKind.choices)
    factor = models.DecimalField(
        _("hệ số"), max_digits=12, decimal_places=4, default=Decimal(1),
        help_text=_("Tỷ lệ = tử số / mẫu số × hệ số (100 cho phần trăm)."),
    )  # fmt: skip
    area_aggregation = models.CharField(
        _("tổng hợp theo địa bàn"), max_length=15, choices=AreaAggregation.choices
    )
    time_aggregation = models.CharField(
        _("tổng hợp theo thời gian"), max_length=10, choices=TimeAggregation.choices
    )
    direction = models.CharField(_("chiều tốt"), max_length=10, choices=Direction.choices)
    period_type = models.CharField(_("kỳ báo cáo"), max_length=10, choices=PeriodType.choices)
    allows_negative = models.BooleanField(
        _("cho phép giá trị âm"), default=False,
        help_text=_("Số đếm, dân số, thu ngân sách... không được âm."),
    )  # fmt: skip
    minimum = models.DecimalField(
        _("giá trị nhỏ nhất hợp lệ"), max_digits=VALUE_DIGITS, decimal_places=VALUE_DECIMALS,
        null=True, blank=True,
    )  # fmt: skip
    maximum = models.DecimalField(
        _("giá trị lớn nhất hợp lệ"), max_digits=VALUE_DIGITS, decimal_places=VALUE_DECIMALS,
        null=True, blank=True,
    )  # fmt: skip
    computed_from = models.CharField(
        _("tính tự động từ"), max_length=30, choices=ComputedSource.choices, blank=True,
        help_text=_("Để trống với chỉ tiêu nhập tay."),
    )  # fmt: skip
    formula = models.CharField(
        _("công thức"), max_length=500, blank=True,
        help_text=_("Với chỉ tiêu loại công thức: phép tính trên mã các chỉ tiêu khác, "
                    "ví dụ ho-ngheo / so-ho * 100."),
    )  # fmt: skip
    weight_indicator = models.ForeignKey(
        "self", verbose_name=_("chỉ tiêu trọng số"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="weighted_indicators",
        help_text=_("Với tổng hợp trung bình có trọng số: chỉ tiêu làm trọng số (ví dụ dân số)."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("chỉ tiêu")
        verbose_name_plural = _("chỉ tiêu")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(factor__gt=0), name="indicator_factor_positive"),
            models.CheckConstraint(
                condition=~Q(kind="ratio") | Q(area_aggregation__in=["ratio", "none"]),
                name="indicator_ratio_aggregates_as_ratio",
            ),
            # A formula has its formula and nothing else has one.
            models.CheckConstraint(
                condition=Q(kind="formula", formula__gt="") | (~Q(kind="formula") & Q(formula="")),
                name="indicator_formula_iff_kind_formula",
            ),
            # A weighted mean names its weight and nothing else does.
            models.CheckConstraint(
                condition=Q(area_aggregation="weighted_mean", weight_indicator__isnull=False)
                | (~Q(area_aggregation="weighted_mean") & Q(weight_indicator__isnull=True)),
                name="indicator_weight_iff_weighted_mean",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.name_vi}"


class ValueStatus(models.TextChoices):
    DRAFT = "draft", _("Nháp")
    SUBMITTED = "submitted", _("Đã gửi duyệt")
    APPROVED = "approved", _("Đã duyệt (khóa)")


class IndicatorValue(models.Model):
    """The value of an indicator for one area and one period (of the indicator's period type)."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("chỉ tiêu"), on_delete=models.PROTECT, related_name="values"
    )
    area = models.ForeignKey(
        Area, verbose_name=_("đơn vị hành chính"), on_delete=models.PROTECT,
        related_name="indicator_values",
    )  # fmt: skip
    period = models.CharField(_("kỳ"), max_length=7)
    period_start = models.DateField(_("ngày đầu kỳ"))
    period_end = models.DateField(_("ngày cuối kỳ"))
    value = models.DecimalField(
        _("giá trị"), max_digits=VALUE_DIGITS, decimal_places=VALUE_DECIMALS, null=True, blank=True
    )
    numerator = models.DecimalField(
        _("tử số"), max_digits=VALUE_DIGITS, decimal_places=VALUE_DECIMALS, null=True, blank=True
    )
    denominator = models.DecimalField(
        _("mẫu số"), max_digits=VALUE_DIGITS, decimal_places=VALUE_DECIMALS, null=True, blank=True
    )
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=ValueStatus.choices, default=ValueStatus.DRAFT
    )
    comment = models.TextField(_("ghi chú"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người cập nhật"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("số liệu chỉ tiêu")
        verbose_name_plural = _("số liệu chỉ tiêu")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area", "period"], name="indicator_value_unique"
            ),
        ]
        indexes = [
            # Every aggregation reads one indicator's values in a range of periods, by area.
            models.Index(
                fields=["indicator", "period_start", "area"], name="indicator_value_period"
            ),
            models.Index(fields=["area", "indicator"], name="indicator_value_area"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} @ {self.area_id} {self.period}: {self.value}"


class IndicatorTarget(models.Model):
    """A target (chỉ tiêu giao) for an indicator, an area and a period."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("chỉ tiêu"), on_delete=models.CASCADE, related_name="targets"
    )
    area = models.ForeignKey(
        Area, verbose_name=_("đơn vị hành chính"), on_delete=models.PROTECT,
        related_name="indicator_targets",
    )  # fmt: skip
    period = models.CharField(_("kỳ"), max_length=7)
    value = models.DecimalField(
        _("mục tiêu"), max_digits=VALUE_DIGITS, decimal_places=VALUE_DECIMALS
    )

    class Meta:
        verbose_name = _("mục tiêu")
        verbose_name_plural = _("mục tiêu")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "area", "period"], name="indicator_target_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} @ {self.area_id} {self.period}: {self.value}"


class ValueAction(models.TextChoices):
    ENTERED = "entered", _("Nhập số liệu")
    IMPORTED = "imported", _("Nhập từ tệp")
    SUBMITTED = "submitted", _("Gửi duyệt")
    APPROVED = "approved", _("Phê duyệt")
    RETURNED = "returned", _("Trả lại")
    COMPUTED = "computed", _("Tính tự động")


class IndicatorValueEvent(models.Model):
    """One change of a value: who, when, what it was and what it became."""

    value = models.ForeignKey(
        IndicatorValue, verbose_name=_("số liệu"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("thao tác"), max_length=10, choices=ValueAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("người thực hiện"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    at = models.DateTimeField(_("thời điểm"), auto_now_add=True)
    from_status = models.CharField(_("từ trạng thái"), max_length=10, blank=True)
    to_status = models.CharField(_("sang trạng thái"), max_length=10)
    before = models.JSONField(_("trước"), null=True, blank=True)
    after = models.JSONField(_("sau"))
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        verbose_name = _("lịch sử số liệu")
        verbose_name_plural = _("lịch sử số liệu")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.value_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


class RuleKind(models.TextChoices):
    RANGE = "range", _("Trong khoảng [nhỏ nhất, lớn nhất]")
    RATIO_AT_MOST_ONE = "ratio_at_most_one", _("Tử số không lớn hơn mẫu số (tỷ lệ ≤ 1)")
    GROWTH = "growth", _("Tăng trưởng so với kỳ trước trong khoảng (%)")


class ValidationRule(models.Model):
    """A rule every value of an indicator must pass, at entry and at import (DHIS2's validation
    rule, restricted to the forms a province uses). A value that breaks it is refused with the
    rule's sentence; outliers, by contrast, are only flagged for the reviewer."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("chỉ tiêu"), on_delete=models.CASCADE,
        related_name="validation_rules",
    )  # fmt: skip
    kind = models.CharField(_("loại quy tắc"), max_length=20, choices=RuleKind.choices)
    lower = models.DecimalField(
        _("cận dưới"), max_digits=VALUE_DIGITS, decimal_places=VALUE_DECIMALS,
        null=True, blank=True,
        help_text=_("Giá trị nhỏ nhất, hoặc mức tăng trưởng nhỏ nhất tính bằng % (ví dụ -20)."),
    )  # fmt: skip
    upper = models.DecimalField(
        _("cận trên"), max_digits=VALUE_DIGITS, decimal_places=VALUE_DECIMALS,
        null=True, blank=True,
        help_text=_("Giá trị lớn nhất, hoặc mức tăng trưởng lớn nhất tính bằng % (ví dụ 50)."),
    )  # fmt: skip
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        verbose_name = _("quy tắc kiểm tra")
        verbose_name_plural = _("quy tắc kiểm tra")
        ordering = ["indicator", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="ratio_at_most_one")
                | Q(lower__isnull=False)
                | Q(upper__isnull=False),
                name="validation_rule_has_a_bound",
            ),
            models.CheckConstraint(
                condition=Q(lower__isnull=True) | Q(upper__isnull=True) | Q(lower__lte=F("upper")),
                name="validation_rule_bounds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.kind} [{self.lower}, {self.upper}]"
