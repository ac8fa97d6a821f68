from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kuihua.core.tenancy import CommunityOwned


class Message(CommunityOwned):
    """One message to one user: the in-app inbox (站内信). Other channels deliver copies."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="messages",
        verbose_name=_("收件人"),
    )
    kind = models.CharField(_("类型"), max_length=40)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title


class Delivery(CommunityOwned):
    """One message's copy through one outside channel (SMS, WeChat, e-mail, log).

    Written by `notify` in the business transaction, sent by the worker after
    the commit. The pair (message, channel) is unique and a sender claims a row
    with a conditional UPDATE before sending, so a retry or a task enqueued
    twice never sends the same copy twice.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        SKIPPED = "skipped", _("无地址，未发送")
        FAILED = "failed", _("发送失败")

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("消息")
    )
    channel = models.CharField(_("渠道"), max_length=20)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    # The exception's class name only: its text may carry an address or a name.
    last_error = models.CharField(_("最近错误"), max_length=100, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("消息投递")
        verbose_name_plural = _("消息投递")
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.UniqueConstraint(fields=["message", "channel"], name="delivery_once_per_channel")
        ]

    def __str__(self) -> str:
        return f"{self.message_id} via {self.channel}: {self.status}"
