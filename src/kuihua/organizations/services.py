"""Every write to social organizations, partner units and memberships."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.accounts.models import Role, User
from kuihua.core.audit import audit
from kuihua.core.errors import ApplicationError
from kuihua.core.identity import InvalidValue, clean_name, normalize_phone
from kuihua.organizations.models import (
    STAGE_ORDER,
    Branch,
    Category,
    Membership,
    Organization,
    PartnerUnit,
    Stage,
    StageChange,
)

BRANCH_NAMES = {
    Category.GOVERNANCE: "治理型社会组织党支部",
    Category.CULTURE_SPORTS: "文体型社会组织党支部",
    Category.SERVICE: "服务型社会组织党支部",
    Category.WELFARE: "公益志愿型社会组织党支部",
    Category.LEARNING: "学习型社会组织党支部",
}

STAGE_DATE_FIELD = {
    Stage.INCUBATING: "incubated_on",
    Stage.FILED: "filed_on",
    Stage.REGISTERED: "registered_on",
    Stage.BRAND: "branded_on",
}


class OrganizationError(ApplicationError):
    """A rule of social organizations was broken; the message is for the user, translated."""


def branches_ensure(*, community) -> list[Branch]:
    """One branch per category (created with the community)."""
    return [
        Branch.objects.get_or_create(
            community=community, category=category, defaults={"name": name}
        )[0]
        for category, name in BRANCH_NAMES.items()
    ]


@transaction.atomic
def organization_create(
    *,
    actor,
    name: str,
    category: str,
    description: str = "",
    founded_on: dt.date | None = None,
    leader=None,
) -> Organization:
    name = clean_name(name)
    if not name:
        raise OrganizationError(_("组织名称不能为空"), field="name")
    if category not in Category.values:
        raise OrganizationError(_("未知的组织类别"), field="category")
    if Organization.objects.filter(name=name).exists():
        raise OrganizationError(_("已有同名组织"), field="name")
    branch = Branch.objects.get(category=category)
    today = timezone.localdate()
    org = Organization.objects.create(
        name=name,
        category=category,
        branch=branch,
        description=description,
        founded_on=founded_on,
        incubated_on=today,
        stage=Stage.INCUBATING,
    )
    StageChange.objects.create(
        organization=org, from_stage="", to_stage=Stage.INCUBATING, on=today, by=_actor(actor)
    )
    if leader is not None:
        organization_set_leader(actor=actor, organization=org, resident=leader)
    audit(
        actor=actor,
        community_id=org.community_id,
        action="organization.create",
        obj=org,
        new={"name": name, "category": category},
    )
    return org


@transaction.atomic
def organization_update(*, actor, organization: Organization, **changes) -> Organization:
    allowed = {"description", "founded_on", "funds_note"}
    unknown = set(changes) - allowed
    if unknown:
        raise OrganizationError(_("不能修改这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    old = {k: str(getattr(organization, k)) for k in changes}
    for key, value in changes.items():
        setattr(organization, key, value)
    organization.save()
    audit(
        actor=actor,
        community_id=organization.community_id,
        action="organization.update",
        obj=organization,
        old=old,
        new={k: str(v) for k, v in changes.items()},
    )
    return organization


@transaction.atomic
def organization_advance_stage(
    *, actor, organization: Organization, to_stage: str, on: dt.date | None = None
) -> Organization:
    """Move one step along incubating → filed → registered → brand, dated."""
    # Read the stage under a row lock: two clerks pressing "next" at once move it once.
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    if to_stage not in Stage.values:
        raise OrganizationError(_("未知的发展阶段"), field="stage")
    current = STAGE_ORDER.index(organization.stage)
    target = STAGE_ORDER.index(to_stage)
    if target != current + 1:
        raise OrganizationError(
            _("只能从“%(a)s”进入下一阶段") % {"a": organization.get_stage_display()},
            field="stage",
        )
    on = on or timezone.localdate()
    previous_field = STAGE_DATE_FIELD[organization.stage]
    previous_date = getattr(organization, previous_field)
    if previous_date and on < previous_date:
        raise OrganizationError(_("日期不能早于上一阶段的日期"), field="on")
    StageChange.objects.create(
        organization=organization,
        from_stage=organization.stage,
        to_stage=to_stage,
        on=on,
        by=_actor(actor),
    )
    old_stage = organization.stage
    organization.stage = to_stage
    setattr(organization, STAGE_DATE_FIELD[to_stage], on)
    organization.save(update_fields=["stage", STAGE_DATE_FIELD[to_stage]])
    audit(
        actor=actor,
        community_id=organization.community_id,
        action="organization.stage",
        obj=organization,
        old={"stage": old_stage},
        new={"stage": to_stage, "on": str(on)},
    )
    return organization


@transaction.atomic
def membership_add(
    *,
    actor,
    organization: Organization,
    resident,
    role: str = Membership.Role.MEMBER,
    joined_on: dt.date | None = None,
) -> Membership:
    if role not in Membership.Role.values:
        raise OrganizationError(_("未知的成员角色"), field="role")
    if role == Membership.Role.LEADER:
        raise OrganizationError(_("负责人请用“更换负责人”设置"), field="role")
    # A deputy manages the organization: leaders may not appoint one themselves.
    if role == Membership.Role.DEPUTY and not _may_appoint(actor, organization):
        raise OrganizationError(_("副负责人由社区工作者任命"), field="role")
    if resident.community_id != organization.community_id:
        raise OrganizationError(_("该居民不在本社区"), field="resident")
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                organization=organization,
                resident=resident,
                role=role,
                joined_on=joined_on or timezone.localdate(),
            )
    except IntegrityError as exc:
        raise OrganizationError(_("该居民已经是本组织成员"), field="resident") from exc
    audit(
        actor=actor,
        community_id=organization.community_id,
        action="membership.add",
        obj=organization,
        new={"resident": resident.pk, "role": role},
    )
    return membership


@transaction.atomic
def membership_remove(*, actor, membership: Membership) -> None:
    org = membership.organization
    if org.leader_id == membership.resident_id:
        raise OrganizationError(_("请先更换负责人，再移除该成员"))
    audit(
        actor=actor,
        community_id=org.community_id,
        action="membership.remove",
        obj=org,
        old={"resident": membership.resident_id, "role": membership.role},
    )
    membership.delete()


@transaction.atomic
def organization_set_leader(*, actor, organization: Organization, resident) -> Organization:
    """Make `resident` the leader; they become a member with the leader role if not yet one."""
    if resident.community_id != organization.community_id:
        raise OrganizationError(_("该居民不在本社区"), field="leader")
    Membership.objects.filter(organization=organization, role=Membership.Role.LEADER).exclude(
        resident=resident
    ).update(role=Membership.Role.MEMBER)
    Membership.objects.update_or_create(
        organization=organization,
        resident=resident,
        defaults={"role": Membership.Role.LEADER},
        create_defaults={
            "role": Membership.Role.LEADER,
            "joined_on": timezone.localdate(),
            "community_id": organization.community_id,
        },
    )
    old = organization.leader_id
    organization.leader = resident
    organization.save(update_fields=["leader"])
    audit(
        actor=actor,
        community_id=organization.community_id,
        action="organization.leader",
        obj=organization,
        old={"leader": old},
        new={"leader": resident.pk},
    )
    return organization


@transaction.atomic
def partner_unit_create(
    *,
    actor,
    name: str,
    kind: str,
    services: str = "",
    contact_name: str = "",
    contact_phone: str = "",
) -> PartnerUnit:
    name = clean_name(name)
    if not name:
        raise OrganizationError(_("单位名称不能为空"), field="name")
    if kind not in PartnerUnit.Kind.values:
        raise OrganizationError(_("未知的单位类型"), field="kind")
    try:
        contact_phone = normalize_phone(contact_phone)
    except InvalidValue as exc:
        raise OrganizationError(str(exc), field="contact_phone") from exc
    if PartnerUnit.objects.filter(name=name).exists():
        raise OrganizationError(_("已有同名单位"), field="name")
    unit = PartnerUnit.objects.create(
        name=name,
        kind=kind,
        services=services,
        contact_name=contact_name,
        contact_phone=contact_phone,
    )
    audit(
        actor=actor,
        community_id=unit.community_id,
        action="partner.create",
        obj=unit,
        new={"name": name, "kind": kind},
    )
    return unit


@transaction.atomic
def partner_unit_set_contact(*, actor, partner: PartnerUnit, username: str) -> PartnerUnit:
    """Name the account (by its sign-in name) that acts for `partner` on the orders of
    its service offers; an empty name takes the account off.

    Only an active account of the unit's own community may be named, never a district
    viewer (who writes nothing). The account sees the unit's orders only, through
    matching's provider rules.
    """
    partner = PartnerUnit.objects.select_for_update().get(pk=partner.pk)
    username = (username or "").strip()
    account = None
    if username:
        account = (
            User.objects.filter(
                username=username, community_id=partner.community_id, is_active=True
            )
            .exclude(role=Role.DISTRICT_VIEWER)
            .first()
        )
        if account is None:
            raise OrganizationError(_("本社区没有这个账号，请核对登录名"), field="username")
    old = partner.contact_user_id
    partner.contact_user = account
    partner.save(update_fields=["contact_user"])
    audit(
        actor=actor,
        community_id=partner.community_id,
        action="partner.contact",
        obj=partner,
        old={"contact_user": old},
        new={"contact_user": partner.contact_user_id},
    )
    return partner


def _may_appoint(actor, organization) -> bool:
    """Management roles are given by coordinators (or by the system: seeding, import)."""
    return actor is None or actor.has_perm("organizations.set_leader", organization)


def _actor(actor):
    return actor if getattr(actor, "pk", None) else None
