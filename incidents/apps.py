from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "incidents"
    verbose_name = _("Phản ánh, kiến nghị")

    def ready(self) -> None:
        from incidents import checks  # noqa: F401 (registers the deployment checks)
