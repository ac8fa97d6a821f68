from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kuihua.core.tenancy import CommunityOwned


class Room(CommunityOwned):
    """A room of a community centre that organizations book (活动室)."""

    centre = models.CharField(_("所在中心"), max_length=100, blank=True)
    name = models.CharField(_("名称"), max_length=100)
    capacity = models.PositiveIntegerField(_("容纳人数"))
    equipment = models.CharField(_("设施"), max_length=200, blank=True)
    is_active = models.BooleanField(_("可预约"), default=True)

    class Meta:
        verbose_name = _("活动室")
        verbose_name_plural = _("活动室")
        ordering = ["centre", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "centre", "name"], name="room_name_unique")
        ]

    def __str__(self) -> str:
        return f"{self.centre}{self.name}" if self.centre else self.name


class Booking(CommunityOwned):
    """A room held for a span of time. Live bookings of one room never overlap.

    Recurring bookings share a `series_key`; each occurrence is its own row so
    that one can be moved or cancelled alone.
    """

    room = models.ForeignKey(
        Room, on_delete=models.PROTECT, related_name="bookings", verbose_name=_("活动室")
    )
    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings",
        verbose_name=_("预约组织"),
    )
    title = models.CharField(_("用途"), max_length=200)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    series_key = models.UUIDField(_("重复预约编号"), null=True, blank=True, db_index=True)
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("场地预约")
        verbose_name_plural = _("场地预约")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["community", "room", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="booking_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.room} {self.starts_at:%Y-%m-%d %H:%M} {self.title}"
