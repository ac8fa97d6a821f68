from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "kuihua.notifications"
    label = "notifications"
    verbose_name = _("消息通知")

    def ready(self):
        # Connects the receiver that forgets the channels when tests change the setting.
        from kuihua.notifications import channels  # noqa: F401
        from kuihua.notifications.personal_data import notifications_erase, notifications_export
        from kuihua.registry.personal_data import register_personal_data

        register_personal_data(
            section="notifications", export=notifications_export, erase=notifications_erase
        )
