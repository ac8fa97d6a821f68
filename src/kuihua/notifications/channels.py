"""Channels: the ways a message leaves the inbox, behind one interface.

`KUIHUA_NOTIFICATION_CHANNELS` (a setting, else an environment variable with
commas) names the channels in use, each a built-in name ("inbox", "log",
"email", "sms", "wechat") or the dotted path of a `Channel` subclass. The
default, ("inbox", "log"), sends nothing outside: the inbox is the `Message`
row itself, and the log channel writes one line per message with ids only.

"sms" and "wechat" are adapters, not integrations: Kuihua ships no contract
with an SMS or WeChat provider. Each needs a sender function of yours
(`KUIHUA_SMS_SENDER`, `KUIHUA_WECHAT_SENDER` and `KUIHUA_WECHAT_OPENID`:
settings or environment variables holding a dotted path) that calls the
provider's API; listed without it, the channel stops the start-up with
ImproperlyConfigured instead of pretending to send.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import send_mail
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

logger = logging.getLogger("kuihua.notifications")

DEFAULT_CHANNELS = ("inbox", "log")


class Channel:
    """One way of telling a person. Subclasses set `name` and implement `send`.

    `address_for(user)` says where the copy goes (an e-mail address, a phone, an
    openid) or None when the person has none: the copy is then skipped, not
    failed. `send` raises on failure; the worker retries with backoff.
    """

    name: str = ""
    # False for the inbox: the Message row is the delivery, nothing is queued.
    outside: bool = True

    def address_for(self, user) -> str | None:
        return str(user.pk)

    def send(self, message, address: str) -> None:
        raise NotImplementedError


class InboxChannel(Channel):
    """The in-app inbox: the Message row written by `notify` is the delivery."""

    name = "inbox"
    outside = False

    def send(self, message, address: str) -> None:
        return None


class LogChannel(Channel):
    """Writes one log line per message: its kind and ids, never a name, phone or body."""

    name = "log"

    def send(self, message, address: str) -> None:
        logger.info(
            "notification kind=%s message=%s recipient=%s",
            message.kind,
            message.pk,
            message.recipient_id,
        )


class EmailChannel(Channel):
    """E-mail through Django's e-mail backend (EMAIL_HOST and friends). Off by default."""

    name = "email"

    def address_for(self, user) -> str | None:
        return user.email or None

    def send(self, message, address: str) -> None:
        body = message.body
        if message.link:
            body = f"{body}\n\n{message.link}".strip()
        send_mail(message.title, body, None, [address], fail_silently=False)


def _configured(name: str, default=None):
    """A Django setting, else the environment variable of the same name."""
    value = getattr(settings, name, None)
    return value if value not in (None, "") else os.environ.get(name, default)


def _setting_callable(name: str, channel: str) -> Callable:
    path = _configured(name, "")
    if not path:
        raise ImproperlyConfigured(
            f"The {channel!r} notification channel needs settings.{name}: the dotted path "
            f"of a function that calls your provider. Kuihua ships no {channel} provider; "
            f"remove {channel!r} from KUIHUA_NOTIFICATION_CHANNELS or configure it."
        )
    return path if callable(path) else import_string(path)


def sms_to_number(phone: str, text: str) -> bool:
    """Send `text` to a number no account holds (an emergency contact, say) through
    KUIHUA_SMS_SENDER; False, and nothing leaves, when no provider is configured."""
    if not phone or not _configured("KUIHUA_SMS_SENDER", ""):
        return False
    _setting_callable("KUIHUA_SMS_SENDER", "sms")(phone, text)
    return True


class SmsChannel(Channel):
    """SMS through a provider function of yours: `KUIHUA_SMS_SENDER(phone, text)`.

    The phone is the one on the person's registry record. No provider is built in.
    """

    name = "sms"

    def __init__(self):
        self.sender = _setting_callable("KUIHUA_SMS_SENDER", self.name)

    def address_for(self, user) -> str | None:
        resident = getattr(user, "resident", None)
        return (resident.phone or None) if resident is not None else None

    def send(self, message, address: str) -> None:
        self.sender(address, message.title)


class WechatChannel(Channel):
    """WeChat template messages through functions of yours.

    `KUIHUA_WECHAT_OPENID(user) -> str | None` finds the person's openid (Kuihua
    stores none), `KUIHUA_WECHAT_SENDER(openid, message)` sends. No provider is built in.
    """

    name = "wechat"

    def __init__(self):
        self.lookup = _setting_callable("KUIHUA_WECHAT_OPENID", self.name)
        self.sender = _setting_callable("KUIHUA_WECHAT_SENDER", self.name)

    def address_for(self, user) -> str | None:
        return self.lookup(user) or None

    def send(self, message, address: str) -> None:
        self.sender(address, message)


BUILT_IN: dict[str, type[Channel]] = {
    c.name: c for c in (InboxChannel, LogChannel, EmailChannel, SmsChannel, WechatChannel)
}


@functools.cache
def get_channels() -> dict[str, Channel]:
    """The configured channels by name; raises ImproperlyConfigured for a broken entry."""
    found: dict[str, Channel] = {}
    entries = _configured("KUIHUA_NOTIFICATION_CHANNELS") or DEFAULT_CHANNELS
    if isinstance(entries, str):
        entries = [e.strip() for e in entries.split(",") if e.strip()]
    for entry in entries:
        if entry in BUILT_IN:
            cls = BUILT_IN[entry]
        else:
            try:
                cls = import_string(entry)
            except ImportError as exc:
                raise ImproperlyConfigured(f"Unknown notification channel {entry!r}") from exc
            if not (isinstance(cls, type) and issubclass(cls, Channel)):
                raise ImproperlyConfigured(f"{entry!r} is not a notification Channel")
        channel = cls()
        if not channel.name:
            raise ImproperlyConfigured(f"The notification channel {entry!r} has no name")
        found[channel.name] = channel
    return found


def outside_channels() -> list[Channel]:
    """The channels that deliver a copy outside the inbox (each gets a Delivery row)."""
    return [c for c in get_channels().values() if c.outside]


@receiver(setting_changed)
def _forget_channels(*, setting: str, **kwargs) -> None:
    if setting.startswith("KUIHUA_"):
        get_channels.cache_clear()
