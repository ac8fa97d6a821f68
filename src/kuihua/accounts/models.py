import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    COORDINATOR = "coordinator", _("社区工作者")
    ORG_LEADER = "org_leader", _("社会组织负责人")
    VOLUNTEER = "volunteer", _("志愿者")
    RESIDENT = "resident", _("居民")
    STEWARD = "steward", pgettext_lazy("role", "义管家")
    DISTRICT_VIEWER = "district_viewer", _("街道/区查看")


class User(AbstractUser):
    """A person who signs in. Belongs to one community, except district viewers.

    A district viewer reads several communities (`viewable_communities`) and
    writes nothing. Residents, volunteers, leaders and stewards are linked to
    their registry record so that object rules (own household, own
    organization) can be decided.
    """

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.RESIDENT)
    community = models.ForeignKey(
        "core.Community",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("所属社区"),
    )
    viewable_communities = models.ManyToManyField(
        "core.Community",
        blank=True,
        related_name="district_viewers",
        verbose_name=_("可查看的社区"),
    )
    resident = models.OneToOneField(
        "registry.Resident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="account",
        verbose_name=_("对应居民"),
    )
    display_name = models.CharField(_("显示名"), max_length=40, blank=True)
    elder_mode = models.BooleanField(
        _("长辈模式"),
        default=False,
        help_text=_("字大、对比强、按钮大；本人在页面顶部开关，换了手机也一样。"),
    )

    objects = UserManager()

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR

    @property
    def is_district_viewer(self) -> bool:
        return self.role == Role.DISTRICT_VIEWER


class ApiToken(models.Model):
    """A bearer token for API clients. Only a SHA-256 of the token is stored.

    Tokens are long and random, so an unkeyed hash is enough here (unlike ID numbers).
    """

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("用户")
    )
    name = models.CharField(_("用途"), max_length=60)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, *, user: User, name: str) -> tuple["ApiToken", str]:
        """Create a token; the plain value is returned once and never stored."""
        token = "kh_" + secrets.token_urlsafe(32)
        obj = cls.objects.create(
            user=user, name=name, digest=cls.digest_of(token), prefix=token[:8]
        )
        return obj, token
