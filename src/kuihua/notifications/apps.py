from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "kuihua.notifications"
    label = "notifications"
    verbose_name = _("消息通知")

    def ready(self):
        # Connects the receiver that forgets the channels when tests change the setting.
        from kuihua.notifications import channels  # noqa: F401
