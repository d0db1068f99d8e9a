from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpatialReportsConfig(AppConfig):
    name = "spatial_reports"
    verbose_name = _("Báo cáo không gian")
