"""Exporting social organizations to .xlsx, in the layout the import reads back.

The leader's ID number and phone are masked unless `whole=True` (coordinators
or the command line, as for residents); a whole export writes an AccessLog
EXPORT entry for each leader whose data left, and every export one
`organization.export` AuditLog entry.
"""

from __future__ import annotations

from typing import IO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.core.audit import audit, log_access
from kuihua.core.masking import mask_id_number, mask_phone
from kuihua.core.models import AccessLog, Community
from kuihua.core.tenancy import current_community_ids
from kuihua.organizations.importing import CATEGORY_LABELS, ORGANIZATION_HEADERS, STAGE_LABELS
from kuihua.organizations.models import Organization
from kuihua.registry.exporting import (
    DATE,
    TEXT,
    append_row,
    check_whole_allowed,
    format_columns,
    new_sheet,
)

_FORMATS = {"成立日期": DATE, "负责人身份证号码": TEXT, "负责人电话": TEXT}
_WIDTHS = {
    "组织名称": 24,
    "类别": 12,
    "成立日期": 12,
    "负责人身份证号码": 22,
    "负责人电话": 14,
    "简介": 40,
}


@transaction.atomic
def organizations_export(file: str | IO[bytes], *, actor, whole: bool = False) -> int:
    """Write every organization of the community in force to an .xlsx; returns the count."""
    if whole:
        check_whole_allowed(actor)
    community = Community.objects.get(pk=current_community_ids()[0])
    workbook, sheet = new_sheet(
        _("%(community)s社会组织名录（%(date)s导出）")
        % {"community": community.name, "date": timezone.localdate().isoformat()},
        ORGANIZATION_HEADERS,
        widths=_WIDTHS,
    )
    count = 0
    for org in Organization.objects.select_related("leader").order_by("category", "name"):
        leader = org.leader
        id_number = phone = ""
        if leader is not None:
            id_number = leader.id_number if whole else mask_id_number(leader.id_number)
            phone = leader.phone if whole else mask_phone(leader.phone)
            if whole:
                log_access(
                    user=actor,
                    subject=leader,
                    action=AccessLog.Action.EXPORT,
                    fields=["id_number", "phone"],
                    purpose=_("导出社会组织名录（Excel）"),
                )
        append_row(
            sheet,
            [
                org.name,
                CATEGORY_LABELS.get(org.category, ""),
                STAGE_LABELS.get(org.stage, ""),
                org.founded_on,
                leader.name if leader else "",
                id_number,
                phone,
                org.description,
            ],
        )
        count += 1
    format_columns(sheet, ORGANIZATION_HEADERS, _FORMATS)
    audit(
        actor=actor,
        community_id=community.pk,
        action="organization.export",
        obj=community,
        new={"count": count, "whole": whole},
    )
    workbook.save(file)
    return count
