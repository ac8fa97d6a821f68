"""Every write to the registry. Views, API, import and commands all call these.

Each function is keyword-only, runs in one transaction, and writes its audit
row in that same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from kuihua.core.audit import audit, log_access
from kuihua.core.crypto import blind_index
from kuihua.core.errors import ApplicationError
from kuihua.core.identity import (
    InvalidValue,
    birth_from_id,
    clean_name,
    clean_text,
    pinyin_keys,
    sex_from_id,
)
from kuihua.core.models import AccessLog, Community
from kuihua.registry.models import (
    Building,
    Compound,
    Consent,
    EmergencyContact,
    Household,
    Ownership,
    Resident,
    Tag,
)
from kuihua.registry.personal_data import Erasure, erase_everywhere, export_sections, iso
from kuihua.registry.validation import (
    clean_resident_name,
    emergency_contact_problems,
    parse_area,
    parse_phone,
    resident_problems,
)

# The tags every community starts with; `sensitive` ones describe health.
DEFAULT_TAGS: list[tuple[str, str, bool]] = [
    ("living_alone", "独居", False),
    ("advanced_age", "高龄", False),
    ("ill_disabled", "病残", True),
    ("low_income", "困难家庭", False),
    ("disabled_child", "残疾儿童", True),
    ("youth", "青少年", False),
]

# Fields a coordinator may change with resident_update (the sensitive ones are
# normalised and re-indexed on the way).
UPDATABLE_FIELDS = {
    "address",
    "name",
    "sex",
    "ethnicity",
    "birth_date",
    "id_number",
    "phone",
    "household",
    "relation_to_head",
    "political_status",
    "category",
    "health_conditions",
    "notes",
}


class RegistryError(ApplicationError):
    """A rule of the registry was broken; the message is for the user, translated."""


def id_number_index(id_number: str) -> str:
    return blind_index(id_number, purpose="id") if id_number else ""


def phone_indexes(phone: str) -> tuple[str, str]:
    if not phone:
        return "", ""
    return blind_index(phone, purpose="phone"), blind_index(phone[-4:], purpose="phone4")


def tags_ensure(*, community: Community) -> None:
    """The preset tags of a community (独居, 高龄, …; idempotent)."""
    have = set(Tag.objects.filter(community=community).values_list("code", flat=True))
    Tag.objects.bulk_create(
        Tag(community=community, code=code_, name=name_, is_sensitive=sens, is_system=True)
        for code_, name_, sens in DEFAULT_TAGS
        if code_ not in have
    )


def compound_get_or_create(*, name: str, has_property_company: bool = True) -> Compound:
    compound, _created = Compound.objects.get_or_create(
        name=name, defaults={"has_property_company": has_property_company}
    )
    return compound


def household_get_or_create(
    *, compound_name: str, building_name: str, unit: str, room: str
) -> tuple[Household, bool]:
    """The household at an address, creating compound, building and household as needed."""
    compound = compound_get_or_create(name=compound_name)
    building, _created = Building.objects.get_or_create(compound=compound, name=building_name)
    return Household.objects.get_or_create(building=building, unit=unit, room=room)


def _household_for(household: Household | None, address: dict[str, str] | None):
    """The household given, or the one at `address` (created with its compound and building).

    Called inside the resident service's transaction, so that a resident refused
    later leaves no empty household behind.
    """
    if household is not None and address is not None:
        raise RegistryError(_("请只填写户或地址中的一项"), field="household")
    if address is None:
        return household
    address = {key: clean_text(value) for key, value in address.items()}
    if not (address.get("compound_name") and address.get("building_name") and address.get("room")):
        raise RegistryError(_("地址需填写小区、楼栋和室"), field="address")
    return household_get_or_create(
        compound_name=address["compound_name"],
        building_name=address["building_name"],
        unit=address.get("unit", ""),
        room=address["room"],
    )[0]


def _prepare_identity(values: dict[str, Any], *, id_on_file: str = "") -> dict[str, Any]:
    """Check and normalise the identity fields given (validation.resident_problems: the
    rules the sheet import keeps too); fill birth date and sex from the ID; build the indexes.
    """
    out, problems = resident_problems(values, id_on_file=id_on_file)
    if problems:
        raise RegistryError(problems[0].message, field=problems[0].field)
    if "name" in out:
        out["name_pinyin"], out["name_initials"] = pinyin_keys(out["name"])
    if "id_number" in out:
        out["id_number_index"] = id_number_index(out["id_number"])
        if out["id_number"]:
            out["birth_date"] = birth_from_id(out["id_number"])
            out["sex"] = sex_from_id(out["id_number"])
    if "phone" in out:
        out["phone_index"], out["phone_last4_index"] = phone_indexes(out["phone"])
    return out


def _check_id_unique(id_index: str, *, exclude_pk: int | None = None) -> None:
    if not id_index:
        return
    clash = Resident.objects.filter(id_number_index=id_index)
    if exclude_pk:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise RegistryError(_("该身份证号码已登记"), field="id_number")


def resident_build(**values: Any) -> Resident:
    """An unsaved resident with normalised identity fields (for bulk import and seeding)."""
    tags = values.pop("tags", None)
    resident = Resident(**_prepare_identity(values))
    resident._pending_tags = tags
    return resident


@transaction.atomic
def resident_create(
    *,
    actor,
    name: str,
    household: Household | None = None,
    address: dict[str, str] | None = None,
    relation_to_head: str = Resident.Relation.HEAD,
    sex: str = "",
    ethnicity: str = "汉族",
    birth_date: dt.date | None = None,
    id_number: str = "",
    phone: str = "",
    political_status: str = Resident.Political.MASSES,
    category: str = "",
    health_conditions: str = "",
    notes: str = "",
    tags: Iterable[Tag] = (),
) -> Resident:
    values = _prepare_identity(
        {
            "name": name,
            "relation_to_head": relation_to_head,
            "sex": sex,
            "ethnicity": ethnicity,
            "birth_date": birth_date,
            "id_number": id_number,
            "phone": phone,
            "political_status": political_status,
            "category": category,
            "health_conditions": health_conditions,
            "notes": notes,
        }
    )
    _check_id_unique(values["id_number_index"])
    # After the identity checks: a refused person creates no address.
    values["household"] = _household_for(household, address)
    try:
        # The unique constraint is the last word when two clerks register the
        # same person at the same moment: one wins, the other gets the message.
        with transaction.atomic():
            resident = Resident.objects.create(**values)
    except IntegrityError as exc:
        raise RegistryError(_("该身份证号码已登记"), field="id_number") from exc
    tags = list(tags)
    if tags:
        resident.tags.set(tags)
    audit(
        actor=actor,
        community_id=resident.community_id,
        action="resident.create",
        obj=resident,
        new={"household": resident.household_id},
    )
    return resident


@transaction.atomic
def resident_update(*, actor, resident: Resident, **changes: Any) -> Resident:
    """Change a resident's fields; sensitive changes are audited by field name, never value."""
    unknown = set(changes) - UPDATABLE_FIELDS
    if unknown:
        raise RegistryError(_("不能修改这些字段：%(f)s") % {"f": ", ".join(sorted(unknown))})
    if changes.get("id_number") and "birth_date" not in changes:
        changes["birth_date"] = None  # the new number's own date takes its place
    address = changes.pop("address", None)
    # A birth date or sex changed alone must still agree with the ID on file.
    values = _prepare_identity(changes, id_on_file=resident.id_number or "")
    if "id_number_index" in values:
        _check_id_unique(values["id_number_index"], exclude_pk=resident.pk)
    if address is not None:
        values["household"] = _household_for(values.pop("household", None), address)
    # Personal values stay out of the audit trail (it outlives an erasure).
    sensitive = {"name", "id_number", "phone", "health_conditions"}
    old, new = {}, {}
    for field, value in values.items():
        before = getattr(resident, field)
        if before != value:
            if field in sensitive:
                old[field], new[field] = "***", "***"
            elif not field.endswith(("_index", "_pinyin", "_initials")):
                old[field] = getattr(before, "pk", before)
                new[field] = getattr(value, "pk", value)
            setattr(resident, field, value)
    if old or new:
        for key in ("birth_date",):
            if key in old:
                old[key] = str(old[key]) if old[key] else None
                new[key] = str(new[key]) if new[key] else None
        resident.save()
        audit(
            actor=actor,
            community_id=resident.community_id,
            action="resident.update",
            obj=resident,
            old=old,
            new=new,
        )
    return resident


@transaction.atomic
def resident_set_tags(*, actor, resident: Resident, tags: Iterable[Tag]) -> Resident:
    tags = list(tags)
    before = sorted(resident.tags.values_list("code", flat=True))
    resident.tags.set(tags)
    after = sorted(t.code for t in tags)
    if before != after:
        audit(
            actor=actor,
            community_id=resident.community_id,
            action="resident.tags",
            obj=resident,
            old={"tags": before},
            new={"tags": after},
        )
    return resident


@transaction.atomic
def tag_create(*, actor, name: str, code: str, is_sensitive: bool = False) -> Tag:
    name = clean_name(name)
    if not name:
        raise RegistryError(_("标签名称不能为空"), field="name")
    if Tag.objects.filter(name=name).exists() or Tag.objects.filter(code=code).exists():
        raise RegistryError(_("已有同名标签"), field="name")
    tag = Tag.objects.create(name=name, code=code, is_sensitive=is_sensitive)
    audit(
        actor=actor, community_id=tag.community_id, action="tag.create", obj=tag, new={"name": name}
    )
    return tag


@transaction.atomic
def emergency_contact_add(
    *, actor, resident: Resident, name: str, phone: str, relation: str = ""
) -> EmergencyContact:
    values, problems = emergency_contact_problems(name=name, phone=phone, relation=relation)
    if problems:
        raise RegistryError(problems[0].message, field=problems[0].field)
    priority = resident.emergency_contacts.count() + 1
    contact = EmergencyContact.objects.create(resident=resident, priority=priority, **values)
    audit(
        actor=actor,
        community_id=resident.community_id,
        action="emergency_contact.add",
        obj=resident,
        new={"contact": contact.pk},
    )
    return contact


@transaction.atomic
def consent_record(
    *, actor, resident: Resident, purpose: str, granted: bool, method: str, note: str = ""
) -> Consent:
    """Record a consent or its withdrawal. Rows never change: the newest per purpose holds."""
    if purpose not in Consent.Purpose.values:
        raise RegistryError(_("未知的授权用途"), field="purpose")
    if method not in Consent.Method.values:
        raise RegistryError(_("未知的授权方式"), field="method")
    consent = Consent.objects.create(
        resident=resident,
        purpose=purpose,
        granted=granted,
        method=method,
        note=note,
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    audit(
        actor=actor,
        community_id=resident.community_id,
        action="consent.record",
        obj=resident,
        new={"purpose": purpose, "granted": granted},
    )
    return consent


def resident_sensitive_view(*, user, resident: Resident, purpose: str = "") -> dict[str, str]:
    """The whole ID number, phone and health conditions, with the look written to the access log."""
    log_access(
        user=user,
        subject=resident,
        action=AccessLog.Action.VIEW,
        fields=["id_number", "phone", "health_conditions"],
        purpose=purpose,
    )
    return {
        "id_number": resident.id_number,
        "phone": resident.phone,
        "health_conditions": resident.health_conditions,
    }


@transaction.atomic
def resident_export(*, actor, resident: Resident) -> dict[str, Any]:
    """Everything held about a resident, as JSON-ready data (PIPL right of access).

    The registry's own data, the sign-in account, who looked at the record, and a
    section from every app above that keeps data about the person
    (registry/personal_data.py).
    """
    household = resident.household
    data = {
        "resident": {
            "id": resident.pk,
            "name": resident.name,
            "sex": resident.sex,
            "ethnicity": resident.ethnicity,
            "birth_date": iso(resident.birth_date),
            "id_number": resident.id_number,
            "phone": resident.phone,
            "address": household.address if household else "",
            "relation_to_head": resident.relation_to_head,
            "political_status": resident.political_status,
            "category": resident.category,
            "health_conditions": resident.health_conditions,
            "notes": resident.notes,
            "tags": [t.name for t in resident.tags.all()],
            "created_at": resident.created_at.isoformat(),
        },
        "household": (
            {
                "address": household.address,
                "members": household.members.count(),
            }
            if household
            else None
        ),
        "emergency_contacts": [
            {"name": c.name, "relation": c.relation, "phone": c.phone, "priority": c.priority}
            for c in resident.emergency_contacts.all()
        ],
        "homes_owned": [
            {
                "address": o.household.address,
                "exclusive_area": str(o.household.exclusive_area or ""),
                "recorded_at": o.created_at.isoformat(),
            }
            for o in resident.ownerships.select_related("household__building")
        ],
        "consents": [
            {
                "purpose": c.purpose,
                "granted": c.granted,
                "method": c.method,
                "recorded_at": c.recorded_at.isoformat(),
                "note": c.note,
            }
            for c in resident.consents.all()
        ],
        "account": _account_export(resident),
        "access_log": [
            {
                "action": row.action,
                "at": row.at.isoformat(),
                "fields": row.fields,
                "purpose": row.purpose,
            }
            for row in AccessLog.objects.filter(
                subject_type=resident._meta.label_lower, subject_id=resident.pk
            )
        ],
        "sections": export_sections(resident),
    }
    log_access(
        user=actor,
        subject=resident,
        action=AccessLog.Action.EXPORT,
        fields=["all"],
        purpose="resident export",
    )
    return data


def _account_export(resident: Resident) -> dict[str, Any] | None:
    from kuihua.accounts.models import User

    user = User.objects.filter(resident=resident).first()
    if user is None:
        return None
    return {
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "role": user.role,
        "date_joined": iso(user.date_joined),
        "last_login": iso(user.last_login),
        "api_tokens": [
            {"name": t.name, "created_at": iso(t.created_at), "revoked_at": iso(t.revoked_at)}
            for t in user.api_tokens.all()
        ],
    }


@transaction.atomic
def resident_erase(*, actor, resident: Resident, reason: str) -> None:
    """Really delete a resident and everything that hangs off them; log the erasure itself.

    Every app above the registry erases its part first (registry/personal_data.py;
    what each table keeps is written in docs/privacy.md). The registry then keeps
    what was done and when in the audit trail with every value redacted, keeps
    that the record was seen or erased in the access log without the name, closes
    the linked account, and deletes the resident, their contacts, consents and tags.
    A household left empty is removed too.
    """
    if not reason.strip():
        raise RegistryError(_("请填写删除原因"), field="reason")
    from kuihua.accounts.models import User

    erasure = Erasure(
        resident=resident,
        account=User.objects.filter(resident=resident).first(),
        actor=actor,
        values=_erased_values(resident),
    )
    log_access(
        user=actor,
        subject=resident,
        action=AccessLog.Action.ERASE,
        fields=["all"],
        purpose=reason.strip(),
    )
    erase_everywhere(erasure)
    erasure.forget_objects(Resident, [resident.pk])
    erasure.forget_objects(
        EmergencyContact, resident.emergency_contacts.values_list("pk", flat=True)
    )
    erasure.forget_objects(Consent, resident.consents.values_list("pk", flat=True))
    if erasure.account is not None:
        erasure.forget_objects(type(erasure.account), [erasure.account.pk])
    _close_account(resident)
    # An organization the person led keeps going without a leader (its FK is SET_NULL).
    household = resident.household
    resident.tags.clear()
    resident.delete()
    # A home with owners or a floor area on record stays: it is property, not the person.
    if (
        household is not None
        and not household.members.exists()
        and not household.ownerships.exists()
        and household.exclusive_area is None
    ):
        try:
            with transaction.atomic():
                household.delete()
        except ProtectedError:
            # A home that other records hold on to (a compound's bills and receipts)
            # stays: those are the compound's books, not the person.
            erasure.scrub_rows(Household.objects.filter(pk=household.pk), "notes")
        else:
            erasure.forget_objects(Household, [household.pk])
    elif household is not None:
        erasure.scrub_rows(Household.objects.filter(pk=household.pk), "notes")
    erasure.scrub_logs()


def _erased_values(resident: Resident) -> list[str]:
    """What must not be left anywhere: name, ID number, phone, address, contacts."""
    values = [resident.name, resident.id_number, resident.phone]
    if resident.household_id:
        values.append(resident.household.address)
    for contact in resident.emergency_contacts.all():
        values += [contact.name, contact.phone]
    # Longest first, so a phone is scrubbed whole before a shorter value inside it.
    return sorted({v for v in values if v and len(v) >= 2}, key=len, reverse=True)


def _close_account(resident: Resident) -> None:
    """An erased person's sign-in goes too: no name kept, no session or token that works."""
    from django.utils import timezone
    from django_otp import devices_for_user

    from kuihua.accounts.models import ApiToken, User

    for user in User.objects.filter(resident=resident):
        # Second factors (TOTP secret, recovery codes) belong to nobody any more.
        for device in devices_for_user(user, confirmed=None):
            device.delete()
        user.is_active = False
        user.display_name = user.first_name = user.last_name = user.email = ""
        # A username is often the phone or the name in pinyin: it goes too.
        user.username = f"erased-{user.pk}"
        user.set_unusable_password()
        user.save()
        ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )


# --- homes: floor area and owners (业主) ---------------------------------------------------


@transaction.atomic
def home_area_set(*, actor, household: Household, area) -> Household:
    """Set (or, with None/"", clear) a home's exclusive floor area in m²."""
    try:
        value = parse_area(area)
    except InvalidValue as exc:
        raise RegistryError(str(exc), field="exclusive_area") from None
    household = Household.objects.select_for_update().get(pk=household.pk)
    old = household.exclusive_area
    household.exclusive_area = value
    household.save(update_fields=["exclusive_area"])
    audit(
        actor=actor,
        community_id=household.community_id,
        action="household.area",
        obj=household,
        old={"exclusive_area": str(old) if old is not None else None},
        new={"exclusive_area": str(value) if value is not None else None},
    )
    return household


@transaction.atomic
def owner_add(
    *, actor, household: Household, resident: Resident | None = None, name="", phone=""
) -> Ownership:
    """Record an owner of `household`: a registered resident, or a person named here who
    lives elsewhere (a name, and a phone to reach them and to know them at another home).
    """
    values: dict[str, Any] = {"household": household, "resident": resident}
    if resident is not None:
        values["name"], phone_text = resident.name, ""
        duplicate = Ownership.objects.filter(household=household, resident=resident)
    else:
        try:
            values["name"] = clean_resident_name(name)
        except InvalidValue as exc:
            raise RegistryError(str(exc), field="name") from None
        try:
            phone_text = parse_phone(phone)
        except InvalidValue as exc:
            raise RegistryError(str(exc), field="phone") from None
        values["phone"], values["phone_index"] = phone_text, phone_indexes(phone_text)[0]
        duplicate = Ownership.objects.filter(
            household=household,
            resident__isnull=True,
            name=values["name"],
            phone_index=values["phone_index"],
        )
    if duplicate.exists():
        raise RegistryError(
            _("%(name)s 已登记为这套房屋的业主") % {"name": values["name"]}, field="name"
        )
    try:
        with transaction.atomic():
            ownership = Ownership.objects.create(**values)
    except IntegrityError:  # the same owner added at the same moment by someone else
        raise RegistryError(
            _("%(name)s 已登记为这套房屋的业主") % {"name": values["name"]}, field="name"
        ) from None
    audit(
        actor=actor,
        community_id=household.community_id,
        action="ownership.add",
        obj=household,
        new={"ownership": ownership.pk, "resident": resident.pk if resident else None},
    )
    return ownership


@transaction.atomic
def owner_remove(*, actor, ownership: Ownership) -> None:
    household = ownership.household
    audit(
        actor=actor,
        community_id=household.community_id,
        action="ownership.remove",
        obj=household,
        old={"ownership": ownership.pk, "resident": ownership.resident_id},
    )
    ownership.delete()
