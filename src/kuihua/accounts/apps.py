from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "kuihua.accounts"
    label = "accounts"
    verbose_name = _("账号与角色")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from kuihua.accounts.signin import on_logged_in, on_login_failed

        user_login_failed.connect(on_login_failed, dispatch_uid="kuihua_signin_failed")
        user_logged_in.connect(on_logged_in, dispatch_uid="kuihua_signin_ok")
