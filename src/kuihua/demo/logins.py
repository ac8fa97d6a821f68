"""The demo's logins: one account per role, linked to fitting people of the community,
all with the printed password; a second run resets them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from kuihua.accounts.models import Role, User
from kuihua.core.models import Community
from kuihua.core.tenancy import use_community
from kuihua.demo.plan import (
    DEMO_PASSWORD,
    R,
    invented_name,
    years_before,
)
from kuihua.organizations.models import (
    Category,
    Membership,
    Organization,
)
from kuihua.registry.models import (
    Household,
    Resident,
)

# Sex and age of the logins that are nobody in the registry (their names are invented).
INVENTED_PEOPLE = {str(Role.COORDINATOR): ("F", 34), str(Role.DISTRICT_VIEWER): ("M", 46)}


@dataclass
class DemoLogin:
    role: str
    username: str
    password: str
    note: str

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)


@transaction.atomic
def demo_accounts_ensure(
    *,
    community: Community,
    password: str = DEMO_PASSWORD,
    viewable: Sequence[Community] | None = None,
) -> list[DemoLogin]:
    """Create or reset one login per role in `community`, all with `password`.

    Leader, volunteer, resident and steward are linked to fitting residents of
    the community (an organization's leader, one of its members, the head of a
    household of several people, someone living in a compound without a
    property company). The district viewer sees `viewable` (default: every
    community). Notes name organizations and compounds, never people.
    """
    encoded = make_password(password)  # once: hashing is slow on purpose
    today = timezone.localdate()
    logins: list[DemoLogin] = []
    used: list[int] = []

    def _invented(role: str) -> str:
        sex, age = INVENTED_PEOPLE.get(role, ("F", 40))
        return invented_name(f"{community.code}:{role}", sex=sex, age=age, today=today)

    def ensure(role: str, *, resident=None, note: str, district: bool = False) -> None:
        role = str(role)
        user = User.objects.filter(username=role).first() or User(username=role)
        user.role = role
        user.community = None if district else community
        # The top bar reads "王丽 · 社区工作者": a person's name, never the role's again.
        user.display_name = resident.name if resident is not None else _invented(role)
        user.is_active = True
        user.password = encoded
        if resident is not None:
            User.objects.filter(resident=resident).exclude(username=role).update(resident=None)
            used.append(resident.pk)
        user.resident = resident
        user.save()
        if district:
            user.viewable_communities.set(
                viewable if viewable is not None else Community.objects.all()
            )
        else:
            user.viewable_communities.clear()
        logins.append(DemoLogin(role=role, username=role, password=password, note=note))

    with use_community(community):
        ensure(Role.COORDINATOR, note=community.name)

        org = (
            Organization.objects.filter(leader__isnull=False, category=Category.WELFARE)
            .order_by("id")
            .first()
            or Organization.objects.filter(leader__isnull=False).order_by("id").first()
        )
        if org is not None:
            ensure(Role.ORG_LEADER, resident=org.leader, note=f"{org.name}负责人")
            member = (
                Membership.objects.filter(organization=org, role=Membership.Role.MEMBER)
                .exclude(resident_id__in=used)
                .select_related("resident")
                .order_by("id")
                .first()
            )
            if member is not None:
                ensure(Role.VOLUNTEER, resident=member.resident, note=f"{org.name}成员")
            else:
                ensure(Role.VOLUNTEER, note="（未关联居民）")
        else:
            ensure(Role.ORG_LEADER, note="（未关联居民）")
            ensure(Role.VOLUNTEER, note="（未关联居民）")

        household = (
            Household.objects.annotate(size=Count("members"))
            .filter(size__gte=3)
            .order_by("id")
            .first()
        )
        head = (
            Resident.objects.filter(household=household, relation_to_head=R.HEAD)
            .exclude(pk__in=used)
            .first()
            if household
            else None
        )
        if head is not None:
            ensure(Role.RESIDENT, resident=head, note=f"户主，一户 {household.size} 人")
        else:
            ensure(Role.RESIDENT, note="（未关联居民）")

        steward = (
            Resident.objects.filter(
                household__building__compound__has_property_company=False,
                birth_date__lte=years_before(today, 45),
                birth_date__gt=years_before(today, 70),
            )
            .exclude(pk__in=used)
            .select_related("household__building__compound")
            .order_by("id")
            .first()
        )
        if steward is not None:
            compound = steward.household.building.compound
            ensure(Role.STEWARD, resident=steward, note=f"{compound.name}，无物业小区")
        else:
            compound = None
            ensure(Role.STEWARD, note="（未关联居民）")
        from kuihua.demo.stewards import steward_login_assign

        steward_login_assign(user=User.objects.get(username=Role.STEWARD), compound=compound)

    count = len(viewable) if viewable is not None else Community.objects.count()
    ensure(Role.DISTRICT_VIEWER, note=f"只读，可查看 {count} 个社区", district=True)
    _reset_sign_in_locks([login.username for login in logins])
    return logins


def _reset_sign_in_locks(usernames: list[str]) -> None:
    """Lift django-axes locks on the demo logins (someone may have mistyped a password)."""
    from axes.utils import reset

    for username in usernames:
        reset(username=username)
