"""Importing social organizations from an Excel sheet.

Columns (any order, under a possible title row): 组织名称, 类别, 发展阶段,
成立日期, 负责人, 负责人身份证号码, 负责人电话, 简介.

The leader must be a registered resident of the community: found by name, or
by 负责人身份证号码 when given (it must then match the name); when several
residents share the name and no ID is given, 负责人电话 picks one. The phone is
only used to tell people apart: it changes nothing on the resident.

An organization is created as incubating (organization_create) and then
advanced one step at a time to the stage the sheet gives, each step dated the
day of the import: the lifecycle has no shortcuts, and the sheet has no dates
for the earlier steps. Each row is saved whole in its own savepoint; strict mode
saves nothing unless every row is good. Reading, row errors and the report are
the generic sheet reader's (kuihua.core.sheets); the leader's ID number and phone
are read as the residents import reads them (kuihua.registry.validation).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.core.audit import audit
from kuihua.core.identity import InvalidValue, clean_name
from kuihua.core.models import Community
from kuihua.core.sheets import (
    ImportReport,
    RowError,
    SheetError,
    cell_errors,
    cell_text,
    parse_date,
    read_sheet,
)
from kuihua.core.tenancy import current_community_ids
from kuihua.organizations.models import STAGE_ORDER, Category, Organization, Stage
from kuihua.organizations.services import (
    OrganizationError,
    organization_advance_stage,
    organization_create,
)
from kuihua.registry.models import Resident
from kuihua.registry.services import id_number_index, phone_indexes
from kuihua.registry.validation import parse_id_number, parse_phone

ORGANIZATION_HEADERS = [
    "组织名称",
    "类别",
    "发展阶段",
    "成立日期",
    "负责人",
    "负责人身份证号码",
    "负责人电话",
    "简介",
]

ORGANIZATION_COLUMNS: dict[str, str] = {
    "组织名称": "name",
    "社会组织名称": "name",
    "名称": "name",
    "类别": "category",
    "组织类别": "category",
    "类型": "category",
    "发展阶段": "stage",
    "阶段": "stage",
    "成立日期": "founded_on",
    "成立时间": "founded_on",
    "负责人": "leader",
    "负责人姓名": "leader",
    "负责人身份证号码": "leader_id",
    "负责人身份证号": "leader_id",
    "负责人电话": "leader_phone",
    "负责人联系电话": "leader_phone",
    "联系电话": "leader_phone",
    "简介": "description",
    "组织简介": "description",
    "主要活动": "description",
}
ORGANIZATION_REQUIRED = {"name": "组织名称", "category": "类别"}
_FIELDS = ["name", "category", "stage", "founded_on", "leader", "leader_id", "leader_phone"]
_HEADER_OF = dict(zip([*_FIELDS, "description"], ORGANIZATION_HEADERS, strict=True))

# Always Chinese: the sheet's language, whatever the user's.
CATEGORY_LABELS = {
    Category.GOVERNANCE: "治理型",
    Category.CULTURE_SPORTS: "文体型",
    Category.SERVICE: "服务型",
    Category.WELFARE: "公益志愿型",
    Category.LEARNING: "学习型",
}
STAGE_LABELS = {
    Stage.INCUBATING: "孵化中",
    Stage.FILED: "已备案",
    Stage.REGISTERED: "已登记",
    Stage.BRAND: "品牌组织",
}
CATEGORIES: dict[str, str] = {
    **{label: value for value, label in CATEGORY_LABELS.items()},
    **{label.removesuffix("型"): value for value, label in CATEGORY_LABELS.items()},
    **{value.value: value for value in CATEGORY_LABELS},
    "公益型": Category.WELFARE,
    "志愿型": Category.WELFARE,
    "志愿服务型": Category.WELFARE,
}
STAGES: dict[str, str] = {
    **{label: value for value, label in STAGE_LABELS.items()},
    **{value.value: value for value in STAGE_LABELS},
    "孵化": Stage.INCUBATING,
    "孵化期": Stage.INCUBATING,
    "备案": Stage.FILED,
    "登记": Stage.REGISTERED,
    "已注册": Stage.REGISTERED,
    "品牌": Stage.BRAND,
}


@dataclass
class OrganizationRow:
    row: int
    name: str
    category: str
    stage: str
    founded_on: Any
    description: str
    leader: Resident | None


def organizations_validate(sheet) -> tuple[list[OrganizationRow], list[RowError]]:
    """Check every row; the good ones come back ready to import, the rest as errors."""
    existing = set(Organization.objects.values_list("name", flat=True))
    seen: dict[str, int] = {}
    good: list[OrganizationRow] = []
    errors: list[RowError] = []
    for row_number, cells in sheet.rows:
        broken = cell_errors(row_number, cells, sheet.labels)
        if broken:
            errors.extend(broken)
            continue
        parsed, row_errors = _validate_organization(
            row_number, cells, sheet.labels, existing=existing, seen=seen
        )
        if row_errors:
            errors.extend(row_errors)
        else:
            good.append(parsed)
    return good, errors


def _validate_organization(
    row_number: int,
    cells: dict[str, Any],
    labels: dict[str, str],
    *,
    existing: set[str],
    seen: dict[str, int],
) -> tuple[OrganizationRow | None, list[RowError]]:
    errors: list[RowError] = []

    def fail(name: str, message: str) -> None:
        errors.append(RowError(row_number, labels.get(name) or _HEADER_OF[name], message))

    name = clean_name(cells.get("name"))
    if not name:
        fail("name", _("组织名称不能为空"))
    elif len(name) > 100:
        fail("name", _("内容过长"))
    else:
        first = seen.setdefault(name, row_number)
        if first != row_number:
            fail("name", _("组织名称与第 %(row)d 行重复") % {"row": first})
        elif name in existing:
            fail("name", _("已有同名组织"))

    category = CATEGORIES.get(clean_name(cells.get("category")), "")
    if not category:
        fail(
            "category",
            _("类别应为：%(choices)s") % {"choices": "、".join(CATEGORY_LABELS.values())},
        )

    stage_text = clean_name(cells.get("stage"))
    stage = STAGES.get(stage_text, "") if stage_text else Stage.INCUBATING
    if not stage:
        fail(
            "stage",
            _("发展阶段应为：%(choices)s") % {"choices": "、".join(STAGE_LABELS.values())},
        )

    founded_on = None
    try:
        founded_on = parse_date(cells.get("founded_on"))
    except InvalidValue as exc:
        fail("founded_on", str(exc))
    if founded_on and founded_on > timezone.localdate():
        fail("founded_on", _("成立日期不能晚于今天"))

    leader = _find_leader(cells, fail)

    if errors:
        return None, errors
    row = OrganizationRow(
        row=row_number,
        name=name,
        category=category,
        stage=stage,
        founded_on=founded_on,
        description=cell_text(cells.get("description")),
        leader=leader,
    )
    return row, []


def _find_leader(cells: dict[str, Any], fail) -> Resident | None:
    name = clean_name(cells.get("leader"))
    try:
        id_number = parse_id_number(cells.get("leader_id"))
    except InvalidValue as exc:
        fail("leader_id", str(exc))
        return None
    try:
        phone = parse_phone(cells.get("leader_phone"))
    except InvalidValue as exc:
        fail("leader_phone", str(exc))
        return None
    if not name and not id_number:
        return None
    if id_number:
        found = Resident.objects.filter(id_number_index=id_number_index(id_number)).first()
        if found is None:
            fail("leader_id", _("没有找到该身份证号码的居民，请先登记负责人"))
            return None
        if name and found.name != name:
            fail("leader", _("负责人姓名与身份证号码不符"))
            return None
        return found
    candidates = list(Resident.objects.filter(name=name)[:20])
    if len(candidates) > 1 and phone:
        phone_index = phone_indexes(phone)[0]
        candidates = [c for c in candidates if c.phone_index == phone_index]
    if not candidates:
        fail("leader", _("没有找到名为“%(name)s”的居民，请先登记负责人") % {"name": name})
        return None
    if len(candidates) > 1:
        fail("leader", _("有多位居民名为“%(name)s”，请填写负责人身份证号码") % {"name": name})
        return None
    return candidates[0]


class _StrictAbort(Exception):
    def __init__(self, error: RowError):
        super().__init__(error.message)
        self.error = error


def organizations_import(
    *, actor, rows: list[OrganizationRow], strict: bool, source: str = ""
) -> tuple[list[Organization], list[RowError]]:
    """Create the organizations through the services, each row whole or not at all."""
    community = Community.objects.get(pk=current_community_ids()[0])
    created: list[Organization] = []
    errors: list[RowError] = []
    columns = {"name": "组织名称", "category": "类别", "stage": "发展阶段", "leader": "负责人"}
    with transaction.atomic():
        for item in rows:
            try:
                with transaction.atomic():
                    organization = _import_one(actor, item)
            except (OrganizationError, IntegrityError) as exc:
                column = columns.get(getattr(exc, "field", None) or "", "")
                error = RowError(item.row, column, str(exc))
                if strict:
                    raise _StrictAbort(error) from exc
                errors.append(error)
            else:
                created.append(organization)
        audit(
            actor=actor,
            community_id=community.pk,
            action="organization.import",
            obj=community,
            new={
                "source": source,
                "strict": strict,
                "imported": len(created),
                "failed": len(errors),
                "organizations": [o.pk for o in created],
            },
        )
    return created, errors


def _import_one(actor, item: OrganizationRow) -> Organization:
    organization = organization_create(
        actor=actor,
        name=item.name,
        category=item.category,
        description=item.description,
        founded_on=item.founded_on,
        leader=item.leader,
    )
    today = timezone.localdate()
    for stage in STAGE_ORDER[1 : STAGE_ORDER.index(item.stage) + 1]:
        organization_advance_stage(actor=actor, organization=organization, to_stage=stage, on=today)
    return organization


def organizations_import_file(
    file: str | IO[bytes], *, actor, strict: bool = False, source: str = ""
) -> ImportReport:
    """Read, check and import an organizations sheet; never raises for bad content."""
    report = ImportReport(strict=strict)
    try:
        sheet = read_sheet(
            file,
            columns=ORGANIZATION_COLUMNS,
            key_header="组织名称",
            required=ORGANIZATION_REQUIRED,
        )
    except SheetError as exc:
        report.errors.append(RowError(None, "", str(exc)))
        return report
    report.notes.extend(sheet.notes)
    report.rows_total = len(sheet.rows)
    if not sheet.rows:
        report.notes.append(_("表格中没有数据行"))
    good, errors = organizations_validate(sheet)
    report.errors.extend(errors)
    if (strict and errors) or not good:
        if strict and errors:
            report.notes.append(_("严格模式：有错误的行，因此没有导入任何数据"))
        report.rejected = len(report.rejected_rows)
        return report
    try:
        created, write_errors = organizations_import(
            actor=actor, rows=good, strict=strict, source=source
        )
    except _StrictAbort as abort:
        report.errors.append(abort.error)
        report.notes.append(_("严格模式：有错误的行，因此没有导入任何数据"))
        report.rejected = len(report.rejected_rows)
        return report
    report.errors.extend(write_errors)
    report.imported = len(created)
    report.created_ids = [o.pk for o in created]
    report.rejected = len(report.rejected_rows)
    return report
