"""Exporting residents to .xlsx, in the layout the import reads back.

A title row above the same Chinese headers the import knows, dates as real
Excel dates, ID numbers and phones as text (so Excel never rounds them).

Masked by default: ID numbers and phones (emergency contacts' too) are masked
and tags that describe health are left out. `whole=True` writes them in full;
only a caller allowed `registry.view_resident_sensitive` (a coordinator) or the
command line (`actor=None`: whoever runs it already holds the database) may ask
for it, and every resident so exported gets an AccessLog EXPORT entry of its
own, so that "who took my data" is answered per person, as for a single look
(one summarised entry could not be found from the resident's side). Any export
also writes one `resident.export` AuditLog entry with the count.
"""

from __future__ import annotations

import datetime as dt
from typing import IO

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from kuihua.core.audit import audit, log_access
from kuihua.core.masking import mask_id_number, mask_phone
from kuihua.core.models import AccessLog, Community
from kuihua.core.tenancy import current_community_ids
from kuihua.registry.importing import POLITICAL_LABELS, RELATION_LABELS, RESIDENT_HEADERS
from kuihua.registry.models import EmergencyContact, Resident, Tag
from kuihua.registry.validation import SEX_LABELS

TEXT = "@"
DATE = "yyyy-mm-dd"
# Columns written as text or dates; widths in characters.
_FORMATS = {"身份证号码": TEXT, "联系电话": TEXT, "紧急联系电话": TEXT, "出生日期": DATE}
_WIDTHS = {"身份证号码": 22, "联系电话": 14, "紧急联系电话": 14, "出生日期": 12, "备注": 24}


def check_whole_allowed(actor) -> None:
    """Whole ID numbers and phones: coordinators, or the command line (no actor)."""
    if actor is None:
        return
    if not actor.has_perm("registry.view_resident_sensitive"):
        raise PermissionDenied(_("只有社区工作者可以导出完整的身份证号码和电话"))


def export_residents_queryset() -> QuerySet[Resident]:
    """Every resident of the community in force, in address order, one query per relation."""
    return (
        Resident.objects.select_related("household__building__compound")
        .prefetch_related(
            Prefetch("tags", queryset=Tag.objects.order_by("id")),
            Prefetch("emergency_contacts", queryset=EmergencyContact.objects.all()),
        )
        .order_by(
            "household__building__compound__name",
            "household__building__name",
            "household__unit",
            "household__room",
            "id",
        )
    )


def new_sheet(title: str, headers: list[str], *, note: str = "", widths=None):
    """A workbook whose first sheet has a merged title row and the header row."""
    widths = _WIDTHS if widths is None else widths
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append([f"{title}{note}"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(headers))
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for i, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = widths.get(header, 10)
    sheet.freeze_panes = "A3"
    return workbook, sheet


def append_row(sheet, values: list) -> None:
    """Append a row; text that starts like a formula ("=…") stays text, never runs."""
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str) and cell.value.startswith("="):
            cell.data_type = "s"


def format_columns(sheet, headers: list[str], formats: dict[str, str]) -> None:
    for i, header in enumerate(headers, start=1):
        number_format = formats.get(header)
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=3, min_col=i, max_col=i):
                cell.number_format = number_format


def _community() -> Community:
    ids = current_community_ids()
    if len(ids) != 1:
        raise PermissionDenied(_("导出需要确定一个社区"))
    return Community.objects.get(pk=ids[0])


@transaction.atomic
def residents_export(
    file: str | IO[bytes],
    *,
    actor,
    whole: bool = False,
    residents: QuerySet[Resident] | None = None,
    purpose: str = "",
) -> int:
    """Write `residents` (default: the whole community) to an .xlsx; returns the count."""
    if whole:
        check_whole_allowed(actor)
    community = _community()
    residents = export_residents_queryset() if residents is None else residents
    today = timezone.localdate()
    note = "" if whole else _("（身份证号码、电话已脱敏）")
    workbook, sheet = new_sheet(
        _("%(community)s居民信息表（%(date)s导出）")
        % {"community": community.name, "date": today.isoformat()},
        RESIDENT_HEADERS,
        note=note,
    )
    count = 0
    for resident in residents:
        append_row(sheet, _resident_row(resident, whole=whole))
        count += 1
        if whole:
            log_access(
                user=actor,
                subject=resident,
                action=AccessLog.Action.EXPORT,
                fields=["emergency_contacts", "id_number", "phone", "tags"],
                purpose=purpose or _("批量导出居民信息（Excel）"),
            )
    format_columns(sheet, RESIDENT_HEADERS, _FORMATS)
    audit(
        actor=actor,
        community_id=community.pk,
        action="resident.export",
        obj=community,
        new={"count": count, "whole": whole},
    )
    workbook.save(file)
    return count


def _resident_row(resident: Resident, *, whole: bool) -> list:
    household = resident.household
    building = household.building if household else None
    contacts = list(resident.emergency_contacts.all())
    contact = contacts[0] if contacts else None
    id_number = resident.id_number if whole else mask_id_number(resident.id_number)
    phone = resident.phone if whole else mask_phone(resident.phone)
    contact_phone = ""
    if contact is not None:
        contact_phone = contact.phone if whole else mask_phone(contact.phone)
    tags = [t.name for t in resident.tags.all() if whole or not t.is_sensitive]
    values = {
        "姓名": resident.name,
        "性别": SEX_LABELS.get(resident.sex, ""),
        "民族": resident.ethnicity,
        "身份证号码": id_number,
        # Masked exports give the year only: the masked ID plus the date is the whole ID.
        "出生日期": _birth(resident.birth_date, whole=whole),
        "联系电话": phone,
        "小区": building.compound.name if building else "",
        "楼栋": building.name if building else "",
        "单元": household.unit if household else "",
        "室": household.room if household else "",
        "与户主关系": RELATION_LABELS.get(resident.relation_to_head, ""),
        "政治面貌": POLITICAL_LABELS.get(resident.political_status, ""),
        "人员类别": resident.category,
        "紧急联系人": contact.name if contact else "",
        "紧急联系电话": contact_phone,
        "紧急联系人关系": contact.relation if contact else "",
        "标签": "、".join(tags),
        "备注": resident.notes,
    }
    return [values[h] for h in RESIDENT_HEADERS]


def _birth(value, *, whole: bool):
    if not isinstance(value, dt.date):
        return None
    return value if whole else f"{value.year}年"
