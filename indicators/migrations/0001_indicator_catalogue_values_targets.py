"""The indicator catalogue, values per area and period, targets, and the audit of values."""

from decimal import Decimal

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("wards", "0005_area_outline_for_maps"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Indicator",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.SlugField(max_length=60, unique=True, verbose_name="mã chỉ tiêu")),
                ("name_vi", models.CharField(max_length=255, verbose_name="tên tiếng Việt")),
                ("name_en", models.CharField(max_length=255, verbose_name="tên tiếng Anh")),
                ("unit", models.CharField(max_length=60, verbose_name="đơn vị tính")),
                ("definition", models.TextField(blank=True, verbose_name="định nghĩa")),
                (
                    "source",
                    models.CharField(blank=True, max_length=255, verbose_name="nguồn số liệu"),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("value", "Giá trị"),
                            ("ratio", "Tỷ lệ (tử số / mẫu số × hệ số)"),
                            ("formula", "Công thức"),
                        ],
                        max_length=10,
                        verbose_name="loại",
                    ),
                ),
                (
                    "factor",
                    models.DecimalField(
                        decimal_places=4,
                        default=Decimal("1"),
                        help_text="Tỷ lệ = tử số / mẫu số × hệ số (100 cho phần trăm).",
                        max_digits=12,
                        verbose_name="hệ số",
                    ),
                ),
                (
                    "area_aggregation",
                    models.CharField(
                        choices=[
                            ("sum", "Tổng"),
                            ("mean", "Trung bình"),
                            ("weighted_mean", "Trung bình có trọng số"),
                            ("ratio", "Tỷ số của các tổng"),
                            ("min", "Nhỏ nhất"),
                            ("max", "Lớn nhất"),
                            ("none", "Không tổng hợp"),
                        ],
                        max_length=15,
                        verbose_name="tổng hợp theo địa bàn",
                    ),
                ),
                (
                    "time_aggregation",
                    models.CharField(
                        choices=[
                            ("sum", "Tổng"),
                            ("mean", "Trung bình"),
                            ("last", "Giá trị cuối kỳ"),
                        ],
                        max_length=10,
                        verbose_name="tổng hợp theo thời gian",
                    ),
                ),
                (
                    "direction",
                    models.CharField(
                        choices=[("higher", "Càng cao càng tốt"), ("lower", "Càng thấp càng tốt")],
                        max_length=10,
                        verbose_name="chiều tốt",
                    ),
                ),
                (
                    "period_type",
                    models.CharField(
                        choices=[("month", "Tháng"), ("quarter", "Quý"), ("year", "Năm")],
                        max_length=10,
                        verbose_name="kỳ báo cáo",
                    ),
                ),
                (
                    "allows_negative",
                    models.BooleanField(
                        default=False,
                        help_text="Số đếm, dân số, thu ngân sách... không được âm.",
                        verbose_name="cho phép giá trị âm",
                    ),
                ),
                (
                    "minimum",
                    models.DecimalField(
                        blank=True,
                        decimal_places=6,
                        max_digits=24,
                        null=True,
                        verbose_name="giá trị nhỏ nhất hợp lệ",
                    ),
                ),
                (
                    "maximum",
                    models.DecimalField(
                        blank=True,
                        decimal_places=6,
                        max_digits=24,
                        null=True,
                        verbose_name="giá trị lớn nhất hợp lệ",
                    ),
                ),
            ],
            options={
                "verbose_name": "chỉ tiêu",
                "verbose_name_plural": "chỉ tiêu",
                "ordering": ["code"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("factor__gt", 0)), name="indicator_factor_positive"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("kind", "ratio"), _negated=True),
                            ("area_aggregation__in", ["ratio", "none"]),
                            _connector="OR",
                        ),
                        name="indicator_ratio_aggregates_as_ratio",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="IndicatorValue",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("period", models.CharField(max_length=7, verbose_name="kỳ")),
                ("period_start", models.DateField(verbose_name="ngày đầu kỳ")),
                ("period_end", models.DateField(verbose_name="ngày cuối kỳ")),
                (
                    "value",
                    models.DecimalField(
                        blank=True,
                        decimal_places=6,
                        max_digits=24,
                        null=True,
                        verbose_name="giá trị",
                    ),
                ),
                (
                    "numerator",
                    models.DecimalField(
                        blank=True, decimal_places=6, max_digits=24, null=True, verbose_name="tử số"
                    ),
                ),
                (
                    "denominator",
                    models.DecimalField(
                        blank=True,
                        decimal_places=6,
                        max_digits=24,
                        null=True,
                        verbose_name="mẫu số",
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Nháp"),
                            ("submitted", "Đã gửi duyệt"),
                            ("approved", "Đã duyệt (khóa)"),
                        ],
                        default="draft",
                        max_length=10,
                        verbose_name="trạng thái",
                    ),
                ),
                ("comment", models.TextField(blank=True, verbose_name="ghi chú")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="cập nhật lúc")),
                (
                    "area",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="indicator_values",
                        to="wards.area",
                        verbose_name="đơn vị hành chính",
                    ),
                ),
                (
                    "indicator",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="values",
                        to="indicators.indicator",
                        verbose_name="chỉ tiêu",
                    ),
                ),
                (
                    "updated_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="người cập nhật",
                    ),
                ),
            ],
            options={
                "verbose_name": "số liệu chỉ tiêu",
                "verbose_name_plural": "số liệu chỉ tiêu",
            },
        ),
        migrations.CreateModel(
            name="IndicatorValueEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("entered", "Nhập số liệu"),
                            ("imported", "Nhập từ tệp"),
                            ("submitted", "Gửi duyệt"),
                            ("approved", "Phê duyệt"),
                            ("returned", "Trả lại"),
                        ],
                        max_length=10,
                        verbose_name="thao tác",
                    ),
                ),
                ("at", models.DateTimeField(auto_now_add=True, verbose_name="thời điểm")),
                (
                    "from_status",
                    models.CharField(blank=True, max_length=10, verbose_name="từ trạng thái"),
                ),
                ("to_status", models.CharField(max_length=10, verbose_name="sang trạng thái")),
                ("before", models.JSONField(blank=True, null=True, verbose_name="trước")),
                ("after", models.JSONField(verbose_name="sau")),
                ("note", models.TextField(blank=True, verbose_name="ghi chú")),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="người thực hiện",
                    ),
                ),
                (
                    "value",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="indicators.indicatorvalue",
                        verbose_name="số liệu",
                    ),
                ),
            ],
            options={
                "verbose_name": "lịch sử số liệu",
                "verbose_name_plural": "lịch sử số liệu",
                "ordering": ["at", "id"],
            },
        ),
        migrations.CreateModel(
            name="IndicatorTarget",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("period", models.CharField(max_length=7, verbose_name="kỳ")),
                (
                    "value",
                    models.DecimalField(decimal_places=6, max_digits=24, verbose_name="mục tiêu"),
                ),
                (
                    "area",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="indicator_targets",
                        to="wards.area",
                        verbose_name="đơn vị hành chính",
                    ),
                ),
                (
                    "indicator",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="targets",
                        to="indicators.indicator",
                        verbose_name="chỉ tiêu",
                    ),
                ),
            ],
            options={
                "verbose_name": "mục tiêu",
                "verbose_name_plural": "mục tiêu",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("indicator", "area", "period"), name="indicator_target_unique"
                    )
                ],
            },
        ),
        migrations.AddIndex(
            model_name="indicatorvalue",
            index=models.Index(
                fields=["indicator", "period_start", "area"], name="indicator_value_period"
            ),
        ),
        migrations.AddIndex(
            model_name="indicatorvalue",
            index=models.Index(fields=["area", "indicator"], name="indicator_value_area"),
        ),
        migrations.AddConstraint(
            model_name="indicatorvalue",
            constraint=models.UniqueConstraint(
                fields=("indicator", "area", "period"), name="indicator_value_unique"
            ),
        ),
    ]
