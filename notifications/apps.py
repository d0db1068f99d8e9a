from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Thông báo và theo dõi")

    def ready(self) -> None:
        # Each app that lets people follow its rows says how its pages name them
        # (notifications/subjects.py); this app imports no app by name.
        autodiscover_modules("subscription_subjects")
        # ... and composes the messages it planned without their words
        # (notifications/message_composers.py).
        autodiscover_modules("message_composers")
