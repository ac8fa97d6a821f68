from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# The tenant and what belongs to it are defined with the door to them (tenancy.py).
from kuihua.core.tenancy import Community, CommunityOwned

__all__ = ["AccessLog", "AuditLog", "Community", "CommunityOwned"]


class AccessLog(CommunityOwned):
    """One look at, export of, or erasure of a person's whole sensitive record (PIPL).

    The subject is named by type and id plus a masked label, not by a foreign
    key: the entry must outlive the erasure of the person it is about.
    """

    class Action(models.TextChoices):
        VIEW = "view", _("查看完整信息")
        EXPORT = "export", _("导出个人信息")
        ERASE = "erase", _("删除个人信息")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    action = models.CharField(_("操作"), max_length=16, choices=Action.choices)
    subject_type = models.CharField(_("对象类型"), max_length=40)
    subject_id = models.BigIntegerField(_("对象编号"))
    subject_label = models.CharField(_("对象"), max_length=40, help_text=_("已脱敏"))
    fields = models.JSONField(_("涉及字段"), default=list, blank=True)
    purpose = models.CharField(_("用途"), max_length=200, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("个人信息访问记录")
        verbose_name_plural = _("个人信息访问记录")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["community", "subject_type", "subject_id"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.subject_label}"


class AuditLog(CommunityOwned):
    """Who changed what, with old and new values, written in the same transaction."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    action = models.CharField(_("操作"), max_length=60)
    object_type = models.CharField(_("对象类型"), max_length=40)
    object_id = models.BigIntegerField(_("对象编号"))
    old = models.JSONField(_("原值"), default=dict, blank=True)
    new = models.JSONField(_("新值"), default=dict, blank=True)
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("操作日志")
        verbose_name_plural = _("操作日志")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["community", "object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}#{self.object_id}"
