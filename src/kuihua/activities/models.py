from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kuihua.core.tenancy import CommunityOwned


class Drive(CommunityOwned):
    """A recruitment drive made of many shifts (a month-long clean-up of 200 volunteers)."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="drives"
    )
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="drives",
        verbose_name=_("所属公益项目"),
    )
    title = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("招募活动")
        verbose_name_plural = _("招募活动")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Series(CommunityOwned):
    """A recurring activity (daily patrol, weekly choir …) whose occurrences are generated ahead.

    `rule` is an RFC 5545 RRULE (python-dateutil); each occurrence is an Activity
    that can then be changed on its own.
    """

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="series"
    )
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="series",
        verbose_name=_("所属公益项目"),
    )
    title = models.CharField(_("名称"), max_length=200)
    rule = models.CharField(_("重复规则"), max_length=200)
    # What each new occurrence starts from (title, place, places, hours …): set when
    # the series is made and by changes to "this and later"; an occurrence changed on
    # its own leaves it alone.
    template = models.JSONField(_("每次的内容"), default=dict, blank=True)
    generated_until = models.DateField(_("已生成至"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("固定活动")
        verbose_name_plural = _("固定活动")
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class SkippedOccurrence(CommunityOwned):
    """An occurrence of a series that the daily run could not make (its room was taken …).

    Written with the notice to the organizers in one transaction; (series, starts_at) is
    unique, so a run repeated or run twice at once tells them once. `activity` is the
    occurrence an organizer then arranged in another room or at another time.
    """

    series = models.ForeignKey(
        Series, on_delete=models.CASCADE, related_name="skipped", verbose_name=_("固定活动")
    )
    starts_at = models.DateTimeField(_("原定开始时间"))
    ends_at = models.DateTimeField(_("原定结束时间"))
    room = models.ForeignKey(
        "venues.Room",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("活动室"),
    )
    # The booking in the way, when the room was taken (it may be cancelled since).
    clash = models.ForeignKey(
        "venues.Booking", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("原因"), max_length=300)
    activity = models.OneToOneField(
        "Activity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaces",
        verbose_name=_("另行安排的场次"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("未能生成的场次")
        verbose_name_plural = _("未能生成的场次")
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["series", "starts_at"], name="series_skip_once")
        ]

    def __str__(self) -> str:
        return f"{self.series_id} @ {self.starts_at:%Y-%m-%d %H:%M}"


class Activity(CommunityOwned):
    """One activity or shift with its places (活动/班次).

    `places_taken` moves only by conditional UPDATEs in the sign-up service; the
    check constraint is the last word that it never passes `places`. `filled_at` says
    when it last became full (see docs/adr/0004-signups.md).
    """

    class Audience(models.TextChoices):
        MEMBERS = "members", _("本组织志愿者")
        VOLUNTEERS = "volunteers", _("所有志愿者")
        RESIDENTS = "residents", _("所有居民")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")
        CANCELLED = "cancelled", _("已取消")

    organization = models.ForeignKey(
        "organizations.Organization",
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("组织"),
    )
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("所属公益项目"),
    )
    title = models.CharField(_("名称"), max_length=200)
    description = models.TextField(_("内容"), blank=True)
    room = models.ForeignKey(
        "venues.Room",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("活动室"),
    )
    booking = models.OneToOneField(
        "venues.Booking",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activity",
    )
    address = models.CharField(_("地点"), max_length=200, blank=True)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    places = models.PositiveIntegerField(
        _("名额"), null=True, blank=True, help_text=_("空表示不限")
    )
    places_taken = models.PositiveIntegerField(_("已报名"), default=0, editable=False)
    # When the last place was taken: set by the sign-up (or promotion) that fills the
    # activity, cleared when a place frees and the waitlist does not take it at once.
    filled_at = models.DateTimeField(_("满员时间"), null=True, blank=True, editable=False)
    signup_opens_at = models.DateTimeField(_("报名开始"), null=True, blank=True)
    signup_closes_at = models.DateTimeField(_("报名截止"), null=True, blank=True)
    audience = models.CharField(
        _("报名范围"), max_length=16, choices=Audience.choices, default=Audience.VOLUNTEERS
    )
    min_age = models.PositiveSmallIntegerField(_("最小年龄"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("最大年龄"), null=True, blank=True)
    required_skill = models.CharField(_("技能要求"), max_length=100, blank=True)
    required_training = models.CharField(
        _("需完成的培训"),
        max_length=100,
        blank=True,
        help_text=_("空表示不需要培训；填写培训内容，与培训记录中的名称一致"),
    )
    hours_credited = models.DecimalField(_("计入服务时长（小时）"), max_digits=5, decimal_places=2)
    confirm_within_hours = models.PositiveSmallIntegerField(
        _("候补转正后需在几小时内确认"), null=True, blank=True
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PUBLISHED
    )
    series = models.ForeignKey(
        Series, on_delete=models.SET_NULL, null=True, blank=True, related_name="occurrences"
    )
    drive = models.ForeignKey(
        Drive, on_delete=models.CASCADE, null=True, blank=True, related_name="shifts"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["community", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(places__isnull=True) | Q(places_taken__lte=F("places")),
                name="activity_never_overbooked",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="activity_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def requires_training(self) -> bool:
        """Whether signing up needs a training record of `required_training`."""
        return bool(self.required_training)


class Signup(CommunityOwned):
    """A person's place (or place in the queue) at one activity (报名).

    Confirmed sign-ups hold a place; waitlisted ones queue by `queued_at`;
    an offered one was promoted and must confirm before `offer_expires_at`.
    """

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("已报名")
        WAITLISTED = "waitlisted", _("候补")
        OFFERED = "offered", _("候补转正待确认")
        CANCELLED = "cancelled", _("已取消")

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="signups", verbose_name=_("活动")
    )
    resident = models.ForeignKey(
        "registry.Resident",
        on_delete=models.CASCADE,
        related_name="signups",
        verbose_name=_("报名人"),
    )
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices)
    queued_at = models.DateTimeField(_("报名时间"), auto_now_add=True)
    offer_expires_at = models.DateTimeField(_("确认截止"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    signed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["queued_at", "id"]
        indexes = [models.Index(fields=["activity", "status", "queued_at"])]
        constraints = [
            # One live sign-up per person per activity, whatever the race.
            models.UniqueConstraint(
                fields=["activity", "resident"],
                condition=~Q(status="cancelled"),
                name="signup_once_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.resident_id} @ {self.activity_id}: {self.status}"


class Attendance(CommunityOwned):
    """Whether and when a signed-up person came (签到/签退)."""

    class Method(models.TextChoices):
        QR = "qr", _("扫码")
        MANUAL = "manual", _("组织者登记")
        AUTO = "auto", _("活动结束自动签退")

    signup = models.OneToOneField(
        Signup, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("报名")
    )
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    check_in_method = models.CharField(max_length=8, choices=Method.choices, blank=True)
    check_out_method = models.CharField(max_length=8, choices=Method.choices, blank=True)
    no_show = models.BooleanField(_("缺席"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("签到记录")
        verbose_name_plural = _("签到记录")

    def __str__(self) -> str:
        return f"{self.signup_id}: {self.checked_in_at} – {self.checked_out_at}"


class ReminderSent(CommunityOwned):
    """That a confirmed person was reminded of an activity: at most once per sign-up.

    The unique sign-up is the last word when two workers run the reminder task
    at the same time.
    """

    signup = models.OneToOneField(
        Signup,
        on_delete=models.CASCADE,
        related_name="reminder",
        verbose_name=_("报名"),
    )
    message = models.ForeignKey(
        "notifications.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sent_at = models.DateTimeField(_("提醒时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("活动提醒记录")
        verbose_name_plural = _("活动提醒记录")

    def __str__(self) -> str:
        return f"reminder for signup {self.signup_id}"
