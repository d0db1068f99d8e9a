"""REST interface of the public map of reports: grouped on a grid at low zoom, pins at high zoom."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.views import APIView

from geoapp.coordinates import parse_date
from geoapp.exceptions import InvalidInput
from incidents import page_selectors, selectors
from incidents.models import IncidentStatus


class IncidentMapApi(APIView):
    """The public reports in a bounding box, grouped by a grid below zoom 16, one by one above."""

    authentication_classes: list = []

    @extend_schema(
        operation_id="incidents_map",
        description=(
            "Bản đồ phản ánh công khai theo khung nhìn. Dưới mức thu phóng 16: các nhóm theo lưới "
            "(số phản ánh, tâm, số theo trạng thái, số quá hạn; nhóm một phản ánh trả về chính "
            "phản ánh đó). Từ mức 16: từng phản ánh, mới nhất trước. Tối đa "
            "INCIDENT_MAP_FEATURES_MAX (mặc định 2.000) đối tượng: các nhóm lớn nhất hoặc các "
            "phản ánh mới nhất; khi có nhiều hơn, truncated là true. Không có thông tin cá nhân."
        ),
        parameters=[
            OpenApiParameter(
                "bbox", OpenApiTypes.STR, required=True, description="minlon,minlat,maxlon,maxlat"
            ),
            OpenApiParameter("zoom", OpenApiTypes.INT, required=True, description="0–22"),
            OpenApiParameter("category", OpenApiTypes.STR, description="Mã lĩnh vực"),
            OpenApiParameter("status", OpenApiTypes.STR, enum=IncidentStatus.values),
            OpenApiParameter("area", OpenApiTypes.STR, description="Mã đơn vị hành chính"),
            OpenApiParameter("from", OpenApiTypes.DATE, description="Phản ánh từ ngày"),
            OpenApiParameter("to", OpenApiTypes.DATE, description="Phản ánh đến hết ngày"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> HttpResponse:
        params = request.query_params
        status = params.get("status") or None
        if status is not None and status not in IncidentStatus.values:
            raise InvalidInput(
                _("Tham số %(name)s “%(value)s” không hợp lệ; dùng một trong: %(choices)s.")
                % {"name": "status", "value": status, "choices": ", ".join(IncidentStatus.values)},
                code="invalid_choice",
            )
        filters = selectors.PublicIncidentFilters(
            bbox=selectors.parse_bbox(params.get("bbox")),
            category=params.get("category") or None,
            status=status,
            area_code=params.get("area") or None,
            # parse_date gives back `default` as it is, None included; its annotation (in
            # geoapp.coordinates) says date only.
            reported_from=parse_date(params.get("from"), default=None),  # type: ignore[arg-type]
            reported_to=parse_date(params.get("to"), default=None),  # type: ignore[arg-type]
        )
        document = page_selectors.incidents_map_features(
            filters=filters, zoom=page_selectors.parse_zoom(params.get("zoom"))
        )
        # Already JSON, built by PostgreSQL: parsing and re-rendering it would cost more than
        # the query.
        return HttpResponse(document, content_type="application/geo+json")
