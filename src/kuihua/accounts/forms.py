"""Sign-in and two-factor forms."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kuihua.accounts.signin import seconds_to_wait


class SignInForm(AuthenticationForm):
    """Django's sign-in form that says how long an account must still wait."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("用户名或密码不正确，请重试。"),
    }

    def clean(self):
        try:
            return super().clean()
        except ValidationError:
            if self.request is not None and getattr(self.request, "kuihua_signin_waiting", False):
                seconds = seconds_to_wait(self.cleaned_data.get("username") or "")
                raise ValidationError(
                    _("这个账号最近输错密码次数较多，请%(seconds)s秒后再试。"),
                    code="signin_wait",
                    params={"seconds": max(seconds, 1)},
                ) from None
            raise


class OtpCodeForm(forms.Form):
    code = forms.CharField(
        label=_("验证码或恢复码"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )

    def clean_code(self) -> str:
        return "".join(self.cleaned_data["code"].split()).lower()
