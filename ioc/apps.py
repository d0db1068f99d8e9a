from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IocConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "ioc"
    verbose_name = _("Trung tâm điều hành")
