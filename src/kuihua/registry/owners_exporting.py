"""Exporting homes' owners (业主) and exclusive areas to .xlsx, in the layout the import reads.

One row per ownership (co-owners on several rows with the same address), and one
row for each home with an area on record but no owner. A resident owner's ID
number and phone are the resident's; a named owner's phone is the one recorded.

Masked by default, as the residents export (kuihua.registry.exporting):
`whole=True` writes ID numbers and phones in full, only for a caller allowed
`registry.view_resident_sensitive` or the command line, and logs an AccessLog
EXPORT entry for each resident owner. Any export writes one `ownership.export`
AuditLog entry with the count. The sheet, masked or whole, imports back into the
same community without changing anything (kuihua.registry.owners_importing).
"""

from __future__ import annotations

from typing import IO

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.core.audit import audit, log_access
from kuihua.core.masking import mask_id_number, mask_phone
from kuihua.core.models import AccessLog
from kuihua.registry.exporting import (
    _community,
    append_row,
    check_whole_allowed,
    format_columns,
    new_sheet,
)
from kuihua.registry.models import Household, Ownership
from kuihua.registry.owners_importing import OWNER_HEADERS

_AREA = "专有面积（㎡）"
_FORMATS = {"业主身份证号": "@", "业主电话": "@", _AREA: "0.00"}
_WIDTHS = {"小区": 14, "业主身份证号": 22, "业主电话": 14, _AREA: 14, "业主姓名": 12}
_ADDRESS_ORDER = ("building__compound__name", "building__name", "unit", "room", "id")


@transaction.atomic
def owners_export(file: str | IO[bytes], *, actor, whole: bool = False, purpose: str = "") -> int:
    """Write every home's owners and area to an .xlsx; returns the number of rows."""
    if whole:
        check_whole_allowed(actor)
    community = _community()
    homes = (
        Household.objects.annotate(owners=Count("ownerships"))
        .filter(Q(owners__gt=0) | Q(exclusive_area__isnull=False))
        .select_related("building__compound")
        .order_by(*_ADDRESS_ORDER)
    )
    owners: dict[int, list[Ownership]] = {}
    for o in Ownership.objects.select_related("resident").order_by("household_id", "id"):
        owners.setdefault(o.household_id, []).append(o)
    note = "" if whole else _("（身份证号码、电话已脱敏）")
    workbook, sheet = new_sheet(
        _("%(community)s业主与面积表（%(date)s导出）")
        % {"community": community.name, "date": timezone.localdate().isoformat()},
        OWNER_HEADERS,
        note=note,
        widths=_WIDTHS,
    )
    count = 0
    logged: set[int] = set()
    for home in homes:
        for ownership in owners.get(home.pk) or [None]:
            append_row(sheet, _owner_row(home, ownership, whole=whole))
            count += 1
            resident = ownership.resident if ownership else None
            if whole and resident is not None and resident.pk not in logged:
                logged.add(resident.pk)
                log_access(
                    user=actor,
                    subject=resident,
                    action=AccessLog.Action.EXPORT,
                    fields=["id_number", "phone"],
                    purpose=purpose or _("批量导出业主信息（Excel）"),
                )
    format_columns(sheet, OWNER_HEADERS, _FORMATS)
    audit(
        actor=actor,
        community_id=community.pk,
        action="ownership.export",
        obj=community,
        new={"count": count, "whole": whole},
    )
    workbook.save(file)
    return count


def _owner_row(home: Household, ownership: Ownership | None, *, whole: bool) -> list:
    building = home.building
    id_number = phone = ""
    if ownership is not None:
        resident = ownership.resident
        id_number = resident.id_number if resident is not None else ""
        phone = resident.phone if resident is not None else ownership.phone
        if not whole:
            id_number, phone = mask_id_number(id_number), mask_phone(phone)
    values = {
        "小区": building.compound.name,
        "楼栋": building.name,
        "单元": home.unit,
        "室": home.room,
        _AREA: home.exclusive_area,
        "业主姓名": _owner_name(ownership) if ownership is not None else "",
        "业主身份证号": id_number,
        "业主电话": phone,
    }
    return [values[h] for h in OWNER_HEADERS]


def _owner_name(ownership: Ownership) -> str:
    """A resident owner as the registry names them now; anyone else as recorded."""
    return ownership.resident.name if ownership.resident is not None else ownership.name
