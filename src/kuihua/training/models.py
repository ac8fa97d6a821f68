"""Volunteers' completed training, for every app that asks "trained for what?".

A record names its course in words (培训内容); an activity that requires a
course names it the same way (`Activity.required_training`), and care asks
for any record before someone is assigned as a visitor. Every row carries its
community, like every row of a community's data (docs/adr/0001-tenancy.md).

This app sits above core, accounts and registry and below activities and
care: it imports nothing from the apps that use it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kuihua.core.tenancy import CommunityOwned


class TrainingRecord(CommunityOwned):
    """A volunteer's completed training course (recorded by a coordinator)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="training_records",
        verbose_name=_("志愿者"),
    )
    course = models.CharField(_("培训内容"), max_length=100)
    completed_on = models.DateField(_("完成日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("培训记录")
        verbose_name_plural = _("培训记录")
        ordering = ["-completed_on", "-id"]
        indexes = [models.Index(fields=["user", "course"], name="training_user_course")]

    def __str__(self) -> str:
        return f"{self.user} · {self.course}"
