"""Administration of areas, successions, agencies, routing rules and unit memberships.

The page "Nhập ranh giới" is a thin interface over wards.boundary_import.areas_import, the same
core as the `wards_import_areas` command: the uploaded file is first imported as a dry run and
previewed, and only the administrator's confirmation imports it for real.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django import forms
from django.contrib.gis import admin
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from geoapp.exceptions import DomainError
from wards import services
from wards.boundary_import import ImportReport, areas_import
from wards.boundary_previews import (
    boundary_preview_discard,
    boundary_preview_exists,
    boundary_preview_store,
)
from wards.geometry import to_shapely
from wards.models import (
    Agency,
    AgencyMembership,
    Area,
    AreaLevel,
    AreaSuccession,
    AreaType,
    RoutingRule,
)

BOUNDARY_UPLOAD_SUFFIXES = (".geojson", ".json", ".gpkg", ".zip")


class BoundaryImportForm(forms.Form):
    boundary_file = forms.FileField(
        label=gettext_lazy("Tệp ranh giới"),
        required=False,
        help_text=gettext_lazy(
            "GeoJSON (.geojson), GeoPackage (.gpkg) hoặc Shapefile nén .zip (kèm .shx, .dbf, .prj)."
        ),
    )
    upload = forms.CharField(required=False, widget=forms.HiddenInput)
    level = forms.ChoiceField(label=gettext_lazy("Cấp"), choices=AreaLevel.choices)
    valid_from = forms.DateField(
        label=gettext_lazy("Hiệu lực từ"),
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    valid_to = forms.DateField(
        label=gettext_lazy("Hiệu lực đến"),
        required=False,
        input_formats=["%Y-%m-%d"],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Để trống nếu còn hiệu lực."),
    )
    code_field = forms.CharField(label=gettext_lazy("Trường chứa mã"), initial="code")
    name_field = forms.CharField(label=gettext_lazy("Trường chứa tên"), initial="name")
    parent_code = forms.CharField(
        label=gettext_lazy("Mã đơn vị cấp trên"),
        required=False,
        help_text=gettext_lazy("Đơn vị cấp trên còn hiệu lực vào ngày bắt đầu, ví dụ 51."),
    )
    area_type = forms.ChoiceField(
        label=gettext_lazy("Loại đơn vị"),
        required=False,
        choices=[("", gettext_lazy("Theo tiền tố của tên (Phường, Xã, …)")), *AreaType.choices],
    )
    type_field = forms.CharField(label=gettext_lazy("Trường chứa loại đơn vị"), required=False)
    srid = forms.IntegerField(
        label=gettext_lazy("Mã EPSG của hệ toạ độ"),
        required=False,
        help_text=gettext_lazy("Chỉ khi tệp không ghi hệ toạ độ, ví dụ 4326 hoặc 3405."),
    )
    is_approximate = forms.BooleanField(label=gettext_lazy("Ranh giới gần đúng"), required=False)

    def __init__(self, *args: object, confirming: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.confirming = confirming

    def clean_boundary_file(self) -> UploadedFile | None:
        uploaded = self.cleaned_data.get("boundary_file")
        if uploaded is not None and not uploaded.name.lower().endswith(BOUNDARY_UPLOAD_SUFFIXES):
            raise forms.ValidationError(
                _("Chỉ nhận tệp %(suffixes)s; Shapefile cần nén thành .zip.")
                % {"suffixes": ", ".join(BOUNDARY_UPLOAD_SUFFIXES)}
            )
        return uploaded

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        if cleaned.get("area_type") and cleaned.get("type_field"):
            raise forms.ValidationError(
                _("Chỉ chọn một trong hai: loại đơn vị cố định hoặc trường chứa loại đơn vị.")
            )
        if self.confirming:
            upload = cleaned.get("upload", "")
            if not boundary_preview_exists(upload):
                raise forms.ValidationError(
                    _("Không còn tệp đã tải lên để ghi; hãy tải tệp lên và chạy thử lại.")
                )
        elif cleaned.get("boundary_file") is None and "boundary_file" not in self.errors:
            self.add_error("boundary_file", _("Hãy chọn tệp ranh giới."))
        return cleaned


@admin.register(Area)
class AreaAdmin(admin.GISModelAdmin):
    list_display = [
        "code",
        "name",
        "area_type",
        "level",
        "valid_from",
        "valid_to",
        "is_approximate",
    ]
    list_filter = ["level", "area_type", "is_approximate", "valid_from", "valid_to"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]
    readonly_fields = ["area_km2", "label_point"]

    def save_model(
        self, request: HttpRequest, obj: Area, form: forms.ModelForm, change: bool
    ) -> None:
        """A boundary drawn or edited here is stored by the service, as an imported one is: its
        area, label point and the pieces routing looks points up in follow it (in the admin's
        transaction)."""
        super().save_model(request, obj, form, change)
        if not change or "boundary" in form.changed_data:
            services.area_replace_boundary(
                area=obj,
                name=obj.name,
                boundary=to_shapely(obj.boundary),
                source=obj.source,
                is_approximate=obj.is_approximate,
            )

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "import-boundaries/",
                self.admin_site.admin_view(self.import_boundaries_view),
                name="wards_area_import_boundaries",
            ),
            *super().get_urls(),
        ]

    def import_boundaries_view(self, request: HttpRequest) -> HttpResponse:
        """Upload → dry-run preview → confirmation → import, through `areas_import`."""
        if not request.user.has_perms(["wards.add_area", "wards.change_area"]):
            raise PermissionDenied
        if request.method != "POST":
            return self._render_import(request, form=BoundaryImportForm())

        confirming = "commit" in request.POST
        form = BoundaryImportForm(request.POST, request.FILES, confirming=confirming)
        if not form.is_valid():
            return self._render_import(request, form=form, status=400)
        options = form.cleaned_data
        try:
            # One transaction for the stored preview and the dry run: if anything fails, the
            # rollback deletes the file just stored (geoapp/file_transactions.py), and the file
            # of a preview never confirmed goes with the nightly sweep.
            with transaction.atomic():
                upload = (
                    options["upload"]
                    if confirming
                    else boundary_preview_store(options["boundary_file"])
                )
                report = self._import(upload, options=options, commit=confirming)
        except DomainError as error:
            if confirming:
                boundary_preview_discard(options["upload"])
            form.add_error(None, error.message)
            return self._render_import(request, form=form, status=400)

        if confirming:
            boundary_preview_discard(upload)
            # The totals and the outcome: the full list was in the preview just confirmed.
            self.message_user(request, " ".join(report.lines()[-2:]))
            return redirect("admin:wards_area_changelist")
        confirmation = BoundaryImportForm(
            initial={
                **{name: value for name, value in request.POST.items() if name in form.fields},
                "upload": upload,
            }
        )
        return self._render_import(request, form=confirmation, report=report)

    def _import(self, upload: str, *, options: dict, commit: bool) -> ImportReport:
        with _local_copy(upload) as local_path:
            return areas_import(
                path=local_path,
                level=options["level"],
                valid_from=options["valid_from"],
                valid_to=options["valid_to"],
                code_field=options["code_field"],
                name_field=options["name_field"],
                parent_code=options["parent_code"] or None,
                area_type=options["area_type"] or None,
                type_field=options["type_field"] or None,
                srid=options["srid"],
                is_approximate=options["is_approximate"],
                commit=commit,
            )

    def _render_import(
        self,
        request: HttpRequest,
        *,
        form: BoundaryImportForm,
        report: ImportReport | None = None,
        status: int = 200,
    ) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Nhập ranh giới"),
            "form": form,
            "report": report,
        }
        return TemplateResponse(
            request, "admin/wards/area/import_boundaries.html", context, status=status
        )


@admin.register(AreaSuccession)
class AreaSuccessionAdmin(admin.ModelAdmin):
    list_display = ["predecessor", "successor", "effective_on", "share"]
    list_filter = ["effective_on"]
    raw_id_fields = ["predecessor", "successor"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name", "name_en"]
    raw_id_fields = ["parent"]
    filter_horizontal = ["jurisdiction"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["category_code", "area", "agency", "note"]
    search_fields = ["category_code", "area__name", "agency__name"]
    raw_id_fields = ["area", "agency"]


@admin.register(AgencyMembership)
class AgencyMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "agency", "role"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__email", "agency__name", "agency__code"]
    raw_id_fields = ["user", "agency"]


@contextmanager
def _local_copy(name: str) -> Iterator[Path]:
    """A path GDAL can open: the stored file itself, or a temporary copy of a remote one."""
    try:
        local: Path | None = Path(default_storage.path(name))
    except NotImplementedError:
        local = None
    if local is not None:
        yield local
        return
    with tempfile.TemporaryDirectory() as directory:
        copy = Path(directory) / Path(name).name
        with default_storage.open(name, "rb") as source, copy.open("wb") as target:
            shutil.copyfileobj(source, target)
        yield copy
