"""Importing homes' owners (业主) and exclusive floor areas from Excel, row by row.

One row per owner per home: co-owners are several rows with the same address,
an owner of several homes is on several rows; a row with an area and no owner
sets the area only. The sheet never creates a home: the address must be a
household already in the registry (the residents sheet or the resident form
made it), else the row is refused.

The same three steps as the residents import (kuihua.registry.importing):
`kuihua.core.sheets.read_sheet` reads the sheet (OWNER_COLUMNS, aliases
included); `owners_validate` checks every row against the registry as it is
(reads only: the homes, the residents who may be owners, the owners already
recorded) and turns the good ones into `OwnerRow`s; `owners_import` writes
them through the services `home_area_set` and `owner_add`, each row in its own
savepoint, the batch in one transaction, strict mode all or nothing.

Who the owner is: the registered resident whose ID number matches (the blind
index), or else the one resident of that home with that name; otherwise a
person named here who lives elsewhere (name and phone). An owner already
recorded for that home is no error: the row changes nothing and says so in a
warning, so that importing the same file again changes nothing. The exported
sheet (kuihua.registry.owners_exporting) reads back this way, masked or whole:
a masked ID number or phone is compared, masked, with the owners on record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kuihua.core.audit import audit
from kuihua.core.identity import InvalidValue
from kuihua.core.masking import mask_id_number, mask_phone
from kuihua.core.models import Community
from kuihua.core.sheets import (
    ImportReport,
    RowError,
    Sheet,
    SheetError,
    cell_errors,
    cell_text,
    cell_words,
    read_sheet,
)
from kuihua.core.tenancy import current_community_ids
from kuihua.registry.models import Household, Ownership, Resident
from kuihua.registry.services import (
    RegistryError,
    home_area_set,
    id_number_index,
    owner_add,
    phone_indexes,
)
from kuihua.registry.validation import (
    clean_resident_name,
    parse_area,
    parse_id_number,
    parse_phone,
)

# The columns an export writes, in order; every one is also read on import.
OWNER_HEADERS = [
    "小区",
    "楼栋",
    "单元",
    "室",
    "专有面积（㎡）",
    "业主姓名",
    "业主身份证号",
    "业主电话",
]

# Header as written in the sheet (after normalising: "专有面积（㎡）" reads "专有面积") → field.
OWNER_COLUMNS: dict[str, str] = {
    "小区": "compound",
    "小区名称": "compound",
    "所在小区": "compound",
    "楼栋": "building",
    "楼号": "building",
    "幢": "building",
    "单元": "unit",
    "室": "room",
    "房号": "room",
    "门牌号": "room",
    "房间号": "room",
    "专有面积": "area",
    "专有部分面积": "area",
    "面积": "area",
    "建筑面积": "area",
    "房屋面积": "area",
    "业主姓名": "name",
    "业主": "name",
    "产权人": "name",
    "产权人姓名": "name",
    "业主身份证号": "id_number",
    "业主身份证号码": "id_number",
    "身份证号码": "id_number",
    "身份证号": "id_number",
    "身份证": "id_number",
    "业主电话": "phone",
    "业主联系电话": "phone",
    "联系电话": "phone",
    "手机号码": "phone",
    "手机号": "phone",
    "手机": "phone",
    "电话": "phone",
}
# The headers that make a sheet an owners sheet (the first names it in a refusal).
OWNER_KEY_HEADERS = ("业主姓名", "业主", "产权人", "产权人姓名")
_HEADER_OF = {
    "compound": "小区",
    "building": "楼栋",
    "unit": "单元",
    "room": "室",
    "area": "专有面积",
    "name": "业主姓名",
    "id_number": "业主身份证号",
    "phone": "业主电话",
}
OWNER_REQUIRED = {"compound": "小区", "building": "楼栋", "room": "室", "name": "业主姓名"}


@dataclass
class OwnerRow:
    """One valid row, ready for the services, with what it noted."""

    row: int
    household: Household
    area: Decimal | None  # the area to set; None: leave the home's area as it is
    resident: Resident | None = None
    name: str = ""  # a named owner (resident None); "" with resident None: no owner on the row
    phone: str = ""
    unchanged: bool = False  # the owner is on record already
    warnings: list[RowError] = field(default_factory=list)

    @property
    def adds_owner(self) -> bool:
        return not self.unchanged and (self.resident is not None or bool(self.name))


@dataclass
class _Registry:
    """What the rows are checked against, read once per import."""

    homes: dict[tuple[str, str, str, str], Household]
    residents_by_index: dict[str, Resident]
    residents_of_home: dict[int, list[Resident]]
    owners_of_home: dict[int, list[Ownership]]
    areas: dict[int, tuple[Decimal | None, int | None]] = field(default_factory=dict)
    seen: dict[tuple, int] = field(default_factory=dict)  # owner at a home → first row

    @classmethod
    def load(cls, sheet: Sheet) -> _Registry:
        homes = {
            (h.building.compound.name, h.building.name, h.unit, h.room): h
            for h in Household.objects.select_related("building__compound")
        }
        named = {homes[a].pk for a in (_address(c) for _r, c in sheet.rows) if a in homes}
        indexes = set()
        for _row, cells in sheet.rows:
            try:
                id_number = parse_id_number(cells.get("id_number"))
            except InvalidValue:
                continue
            if id_number:
                indexes.add(id_number_index(id_number))
        by_index = {
            r.id_number_index: r for r in Resident.objects.filter(id_number_index__in=indexes)
        }
        residents_of_home: dict[int, list[Resident]] = {}
        for r in Resident.objects.filter(household_id__in=named):
            residents_of_home.setdefault(r.household_id, []).append(r)
        owners_of_home: dict[int, list[Ownership]] = {}
        for o in Ownership.objects.filter(household_id__in=named).select_related("resident"):
            owners_of_home.setdefault(o.household_id, []).append(o)
        return cls(homes, by_index, residents_of_home, owners_of_home)


def owners_validate(sheet: Sheet) -> tuple[list[OwnerRow], list[RowError]]:
    """Check every row; the good ones come back ready to import (with their warnings),
    the refused ones as errors."""
    registry = _Registry.load(sheet)
    good: list[OwnerRow] = []
    errors: list[RowError] = []
    for row_number, cells in sheet.rows:
        broken = cell_errors(row_number, cells, sheet.labels)
        if broken:
            errors.extend(broken)
            continue
        parsed, row_errors = _validate_owner(row_number, cells, sheet.labels, registry)
        if row_errors:
            errors.extend(row_errors)
        else:
            good.append(parsed)
    return good, errors


_ADDRESS_PARTS = ("compound", "building", "unit", "room")


def _address(cells: dict[str, Any]) -> tuple[str, str, str, str]:
    """The address as the registry keeps it: '1单元' → '1', '101室' → '101'."""
    compound, building, unit, room = (cell_words(cells.get(p)) for p in _ADDRESS_PARTS)
    return compound, building, unit.removesuffix("单元"), room.removesuffix("室")


def _address_text(compound: str, building: str, unit: str, room: str) -> str:
    unit_text = f"{unit}单元" if unit else ""
    return f"{compound}{building}{unit_text}{room}室"


def _validate_owner(
    row_number: int, cells: dict[str, Any], labels: dict[str, str], registry: _Registry
) -> tuple[OwnerRow | None, list[RowError]]:
    errors: list[RowError] = []
    warnings: list[RowError] = []

    def column(name: str) -> str:
        return labels.get(name) or _HEADER_OF[name]

    def fail(name: str, message: str) -> tuple[None, list[RowError]]:
        errors.append(RowError(row_number, column(name), message))
        return None, errors

    def warn(name: str, message: str) -> None:
        warnings.append(RowError(row_number, column(name), message))

    # The home: only one already registered.
    address = _address(cells)
    missing = [p for p, v in zip(_ADDRESS_PARTS, address, strict=True) if not v and p != "unit"]
    if missing:
        return fail(
            missing[0],
            _("住址不完整（缺少%(parts)s），找不到房屋")
            % {"parts": "、".join(_HEADER_OF[p] for p in missing)},
        )
    household = registry.homes.get(address)
    if household is None:
        return fail(
            "room",
            _("找不到该房屋：%(address)s，请先在居民信息里登记这套房屋")
            % {"address": _address_text(*address)},
        )

    # The area: empty keeps the home's; one home, one area throughout the sheet.
    try:
        area = parse_area(cells.get("area"))
    except InvalidValue as exc:
        fail("area", str(exc))
        area = None
    if area is not None:
        first_area, first_row = registry.areas.setdefault(household.pk, (area, row_number))
        if first_area != area:
            fail(
                "area",
                _("同一套房屋在第 %(row)d 行的面积是 %(area)s ㎡，与本行不一致")
                % {"row": first_row, "area": first_area},
            )
        if area == household.exclusive_area:
            area = None  # as on record: nothing to change

    owner_cell = cell_text(cells.get("name"))
    id_text = cell_words(cells.get("id_number"))
    phone_text = cell_words(cells.get("phone"))
    if not owner_cell:
        if errors:
            return None, errors
        if cells.get("area") is None or not cell_text(cells.get("area")):
            return fail("name", _("这一行既没有业主姓名，也没有面积，没有可导入的内容"))
        if id_text or phone_text:
            warn("name", _("没有填写业主姓名：只导入了面积，身份证号码和电话没有导入"))
        return OwnerRow(row_number, household, area, warnings=warnings), []
    try:
        name = clean_resident_name(owner_cell)
    except InvalidValue as exc:
        return fail("name", str(exc))

    # The values as typed: a wrong one refuses the row; a masked one is only compared.
    id_number = phone = ""
    if id_text and "*" not in id_text:
        try:
            id_number = parse_id_number(cells.get("id_number"))
        except InvalidValue as exc:
            fail("id_number", str(exc))
    if phone_text and "*" not in phone_text:
        try:
            phone = parse_phone(cells.get("phone"))
        except InvalidValue as exc:
            fail("phone", str(exc))
    if errors:
        return None, errors

    item = OwnerRow(row_number, household, area, warnings=warnings)
    on_record = _on_record(registry.owners_of_home.get(household.pk, []), name, id_text, phone_text)
    if on_record is not None:
        item.unchanged = True
        key = on_record.person_key
    else:
        resident = None
        if id_number:
            resident = registry.residents_by_index.get(id_number_index(id_number))
            if resident is not None and resident.name != name:
                return fail(
                    "id_number",
                    _("这个身份证号码登记的居民是“%(resident)s”，与业主姓名“%(name)s”不一致")
                    % {"resident": resident.name, "name": name},
                )
            if resident is None:
                warn(
                    "id_number",
                    _("居民信息里没有这个身份证号码：按姓名记为住在别处的业主，身份证号码没有保存"),
                )
        else:
            namesakes = [
                r for r in registry.residents_of_home.get(household.pk, []) if r.name == name
            ]
            if len(namesakes) == 1:
                resident = namesakes[0]
            elif len(namesakes) > 1:
                warn(
                    "name",
                    _(
                        "这套房屋有 %(n)d 位居民叫“%(name)s”：按姓名记为业主。"
                        "请填写业主身份证号码，以便对应到居民"
                    )
                    % {"n": len(namesakes), "name": name},
                )
            if "*" in id_text and resident is None:
                warn(
                    "id_number",
                    _("身份证号码已脱敏（含 *），无法核对是哪位居民：按姓名记为业主"),
                )
        if resident is not None:
            item.resident = resident
            key = f"resident:{resident.pk}"
            if any(
                o.resident_id == resident.pk for o in registry.owners_of_home.get(household.pk, [])
            ):
                item.unchanged = True
        else:
            if "*" in phone_text:
                return fail("phone", _("电话号码已脱敏（含 *），不能导入；请使用完整号码"))
            item.name, item.phone = name, phone
            phone_index = phone_indexes(phone)[0]
            key = f"named:{name}:{phone_index}"
            if any(
                o.resident_id is None and o.name == name and o.phone_index == phone_index
                for o in registry.owners_of_home.get(household.pk, [])
            ):
                item.unchanged = True
    first = registry.seen.setdefault((household.pk, key), row_number)
    if first != row_number:
        return fail(
            "name",
            _("与第 %(row)d 行是同一套房屋的同一位业主，请删去重复的行") % {"row": first},
        )
    return item, []


def _on_record(owners: list[Ownership], name: str, id_text: str, phone_text: str):
    """The owner of this home already on record that the row names, or None.

    Same name, and the ID number and phone (when the row has them) equal to the
    owner's, whole or masked as an export writes them.
    """
    for o in owners:
        resident = o.resident
        if (resident.name if resident is not None else o.name) != name:
            continue
        if id_text:
            if resident is None or not resident.id_number:
                continue
            if id_text.upper() not in (resident.id_number, mask_id_number(resident.id_number)):
                continue
        if phone_text:
            kept = resident.phone if resident is not None else o.phone
            if phone_text not in (kept, mask_phone(kept)):
                try:
                    same = bool(kept) and parse_phone(phone_text) == kept
                except InvalidValue:
                    same = False
                if not same:
                    continue
        return o
    return None


# ----------------------------------------------------------------------------
# Writing


class _StrictAbort(Exception):
    def __init__(self, error: RowError):
        super().__init__(error.message)
        self.error = error


_FIELD_COLUMNS = {"exclusive_area": "专有面积", "name": "业主姓名", "phone": "业主电话"}


def owners_import(
    *, actor, rows: list[OwnerRow], strict: bool, source: str = ""
) -> tuple[list[OwnerRow], list[RowError]]:
    """Save validated rows through the services, each row whole or not at all.

    Returns the rows saved and the errors of those that failed on saving.
    Strict: the first failing row undoes the whole batch (raises _StrictAbort).
    One `ownership.import` audit entry sums the batch up, besides the entries
    `home_area_set` and `owner_add` write.
    """
    ids = current_community_ids()
    if len(ids) != 1:
        raise RegistryError(_("导入需要确定一个社区"))
    community = Community.objects.get(pk=ids[0])
    saved: list[OwnerRow] = []
    errors: list[RowError] = []
    ownerships: list[int] = []
    with transaction.atomic():
        for item in rows:
            try:
                with transaction.atomic():
                    if item.area is not None:
                        home_area_set(actor=actor, household=item.household, area=item.area)
                    if item.adds_owner:
                        ownership = owner_add(
                            actor=actor,
                            household=item.household,
                            resident=item.resident,
                            name=item.name,
                            phone=item.phone,
                        )
                        ownerships.append(ownership.pk)
            except (RegistryError, IntegrityError) as exc:
                error = _write_error(item, exc)
                if strict:
                    raise _StrictAbort(error) from exc
                errors.append(error)
            else:
                saved.append(item)
        audit(
            actor=actor,
            community_id=community.pk,
            action="ownership.import",
            obj=community,
            new={
                "source": source,
                "strict": strict,
                "imported": len(saved),
                "failed": len(errors),
                "ownerships": ownerships,
            },
        )
    return saved, errors


def _write_error(item: OwnerRow, exc: Exception) -> RowError:
    column = _FIELD_COLUMNS.get(getattr(exc, "field", None) or "", "")
    if isinstance(exc, RegistryError):
        return RowError(item.row, column, str(exc))
    return RowError(item.row, column, _("保存失败：%(e)s") % {"e": exc})


def owners_import_file(
    file: str | IO[bytes], *, actor, strict: bool = False, source: str = ""
) -> ImportReport:
    """Read, check and import an owners sheet; never raises for bad content."""
    report = ImportReport(strict=strict)
    try:
        sheet = read_sheet(
            file, columns=OWNER_COLUMNS, key_header=OWNER_KEY_HEADERS, required=OWNER_REQUIRED
        )
    except SheetError as exc:
        report.errors.append(RowError(None, "", str(exc)))
        return report
    report.notes.extend(sheet.notes)
    report.rows_total = len(sheet.rows)
    good, errors = owners_validate(sheet)
    report.errors.extend(errors)
    if not sheet.rows:
        report.notes.append(_("表格中没有数据行"))
    strict_note = _("严格模式：有错误的行，因此没有导入任何数据")
    if strict and errors:
        report.rejected = len(report.rejected_rows)
        report.notes.append(strict_note)
        return report
    if not good:
        report.rejected = len(report.rejected_rows)
        return report
    try:
        saved, write_errors = owners_import(actor=actor, rows=good, strict=strict, source=source)
    except _StrictAbort as abort:
        report.errors.append(abort.error)
        report.rejected = len(report.rejected_rows)
        report.notes.append(strict_note)
        return report
    report.errors.extend(write_errors)
    report.warnings.extend(w for item in saved for w in item.warnings)
    report.imported = len(saved)
    unchanged = sum(1 for item in saved if not item.adds_owner and item.area is None)
    if unchanged:
        report.notes.append(_("其中 %(n)d 行的业主和面积都已登记，没有变化") % {"n": unchanged})
    report.rejected = len(report.rejected_rows)
    return report
