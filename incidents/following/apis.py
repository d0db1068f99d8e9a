"""REST interface of subscriptions: anyone may ask to follow a public report or an area by email.

The answer is the same whether a confirmation was sent, the address already follows the target,
or a confirmation is already pending: the API must not tell anyone which addresses follow what.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from geoapp.api import NOT_FOUND_RESPONSE
from geoapp.throttling import subscription_request_throttles
from incidents.following import services


class SubscriptionRequestApi(APIView):
    """Follow a report (by its tracking code) or an area (by its id) by email.

    A confirmation link is emailed; nothing is sent before the address confirms. Every later
    email carries a one-click unsubscribe link.
    """

    authentication_classes: list = []

    class SubscriptionRequestInputSerializer(serializers.Serializer):
        # Checked by the service, whose message is in the user's language.
        email = serializers.CharField(max_length=254)
        tracking_code = serializers.CharField(
            max_length=20, required=False, allow_blank=True, default=""
        )
        area_id = serializers.IntegerField(required=False, allow_null=True, default=None)

    class SubscriptionRequestOutputSerializer(serializers.Serializer):
        detail = serializers.CharField()

    def get_throttles(self) -> list[BaseThrottle]:
        # The same limits as the follow forms of the pages (incidents/following/views.py).
        data = self.request.data
        return list(
            subscription_request_throttles(data.get("email") if isinstance(data, dict) else None)
        )

    @extend_schema(
        operation_id="subscriptions_create",
        request=SubscriptionRequestInputSerializer,
        responses={202: SubscriptionRequestOutputSerializer, 404: NOT_FOUND_RESPONSE},
        examples=[
            OpenApiExample(
                "Theo dõi một phản ánh",
                value={"email": "ban@example.vn", "tracking_code": "PA-..."},
            ),
            OpenApiExample("Theo dõi một khu vực", value={"email": "ban@example.vn", "area_id": 7}),
        ],
    )
    def post(self, request: Request) -> Response:
        serializer = self.SubscriptionRequestInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.subscription_request(
            email=serializer.validated_data["email"],
            tracking_code=serializer.validated_data["tracking_code"] or None,
            area_id=serializer.validated_data["area_id"],
        )
        return Response(
            {
                "detail": _(
                    "Đã ghi nhận. Nếu cần, một thư xác nhận đã được gửi đến địa chỉ của bạn: hãy "
                    "mở liên kết trong thư để bắt đầu theo dõi."
                )
            },
            status=status.HTTP_202_ACCEPTED,
        )
