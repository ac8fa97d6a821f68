"""Importing residents from the Excel sheets community offices keep by hand.

Three steps, each usable on its own:

1. `kuihua.core.sheets.read_sheet` finds the header row, maps the Chinese column
   headers (RESIDENT_COLUMNS) to fields whatever their order, fills merged cells
   down, skips blank rows and stops at a footer.
2. `residents_validate` checks every row and turns the good ones into
   `ResidentRow`s. The person is checked by `kuihua.registry.validation`, the
   same rules the form and the API keep; a wrong value (ID number, name, birth
   date against the ID, a malformed phone, an unknown tag …) refuses the row
   with a `RowError` (Excel row number, the column as the sheet names it, a
   translated reason). An optional part left incomplete (an emergency contact
   without a phone, an address without its room) never refuses the person: the
   resident is imported, the part is left out, and a warning names row and column.
3. `residents_import` writes the good rows: never half a row (resident,
   household, tags, emergency contact go in together or not at all). Rows go
   in by chunks of bulk inserts, each chunk one savepoint, with compounds,
   buildings and households cached; values are normalised by the services'
   `resident_build`. A chunk that fails on saving (an ID registered meanwhile)
   is saved again row by row through `household_get_or_create`,
   `resident_create` and `emergency_contact_add`, each row in its own
   savepoint, and the failing rows are reported. In strict mode nothing is
   written unless no row is refused (warnings do not count), and the batch is
   one transaction.

`residents_import_file` runs all three and returns an `ImportReport`.

Audit: every resident gets the `resident.create` AuditLog entry that
`resident_create` writes (bulk-inserted on the fast path), and the batch one
`resident.import` summary on the community with the counts and the ids
created. 15,000 rows import in about 20 s on SQLite (tests/test_import.py,
`test_fifteen_thousand_rows_import_well_under_a_minute`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from kuihua.core.audit import audit
from kuihua.core.identity import InvalidValue, clean_name
from kuihua.core.models import AuditLog, Community
from kuihua.core.sheets import (
    ImportReport,
    RowError,
    Sheet,
    SheetError,
    cell_errors,
    cell_text,
    cell_words,
    parse_date,
    parse_yes_no,
    read_sheet,
)
from kuihua.core.tenancy import current_community_ids
from kuihua.registry.models import Building, Compound, EmergencyContact, Household, Resident, Tag
from kuihua.registry.services import (
    RegistryError,
    compound_get_or_create,
    emergency_contact_add,
    household_get_or_create,
    id_number_index,
    resident_build,
    resident_create,
)
from kuihua.registry.validation import emergency_contact_problems, resident_problems

# The columns an export writes, in order; every one is also read on import.
RESIDENT_HEADERS = [
    "姓名",
    "性别",
    "民族",
    "身份证号码",
    "出生日期",
    "联系电话",
    "小区",
    "楼栋",
    "单元",
    "室",
    "与户主关系",
    "政治面貌",
    "人员类别",
    "紧急联系人",
    "紧急联系电话",
    "紧急联系人关系",
    "标签",
    "备注",
]

# Header as written in the sheet (after normalising) → field.
RESIDENT_COLUMNS: dict[str, str] = {
    "姓名": "name",
    "性别": "sex",
    "民族": "ethnicity",
    "身份证号码": "id_number",
    "身份证号": "id_number",
    "公民身份号码": "id_number",
    "身份证": "id_number",
    "出生日期": "birth_date",
    "出生年月日": "birth_date",
    "联系电话": "phone",
    "手机号码": "phone",
    "手机号": "phone",
    "手机": "phone",
    "电话": "phone",
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
    "与户主关系": "relation",
    "政治面貌": "political",
    "是否党员": "party_member",
    "党员": "party_member",
    "中共党员": "party_member",
    "人员类别": "category",
    "紧急联系人": "emergency_name",
    "紧急联系人姓名": "emergency_name",
    "紧急联系电话": "emergency_phone",
    "紧急联系人电话": "emergency_phone",
    "紧急联系人关系": "emergency_relation",
    "备注": "notes",
    "标签": "tags",
}
# Field → the header an export writes (used to name a column the sheet lacks).
_HEADER_OF = {field: header for header, field in reversed(RESIDENT_COLUMNS.items())}
RESIDENT_REQUIRED = {"name": "姓名", "compound": "小区", "building": "楼栋", "room": "室"}
# The columns filled with 是/否 (or Excel's TRUE/FALSE); not written by an export,
# which says the same in 政治面貌.
RESIDENT_YES_NO = ("party_member",)

RELATIONS: dict[str, str] = {
    **dict.fromkeys(["户主", "本人", "户主本人"], Resident.Relation.HEAD),
    **dict.fromkeys(["配偶", "妻", "夫", "妻子", "丈夫", "之妻", "之夫"], Resident.Relation.SPOUSE),
    **dict.fromkeys(
        ["子", "女", "儿子", "女儿", "子女", "长子", "次子", "长女", "次女", "养子", "养女"],
        Resident.Relation.CHILD,
    ),
    **dict.fromkeys(
        ["父", "母", "父亲", "母亲", "父母", "岳父", "岳母", "公公", "婆婆"],
        Resident.Relation.PARENT,
    ),
    **dict.fromkeys(
        ["孙子", "孙女", "孙子女", "外孙", "外孙子", "外孙女"], Resident.Relation.GRANDCHILD
    ),
    **dict.fromkeys(
        ["兄", "弟", "姐", "妹", "哥哥", "弟弟", "姐姐", "妹妹", "兄弟", "姐妹", "兄弟姐妹"],
        Resident.Relation.SIBLING,
    ),
}
# What an export writes for each relation (always Chinese: the sheet's language).
RELATION_LABELS = {
    Resident.Relation.HEAD: "户主",
    Resident.Relation.SPOUSE: "配偶",
    Resident.Relation.CHILD: "子女",
    Resident.Relation.PARENT: "父母",
    Resident.Relation.GRANDCHILD: "孙子女",
    Resident.Relation.SIBLING: "兄弟姐妹",
    Resident.Relation.OTHER: "其他",
}

POLITICAL: dict[str, str] = {
    **dict.fromkeys(["中共党员", "党员", "共产党员"], Resident.Political.PARTY_MEMBER),
    **dict.fromkeys(["预备党员", "中共预备党员"], Resident.Political.PROBATIONARY),
    **dict.fromkeys(["共青团员", "团员"], Resident.Political.LEAGUE),
}
# The eight democratic parties, as people write them.
DEMOCRATIC_PREFIXES = ("民主党派", "民革", "民盟", "民建", "民进", "农工", "致公", "九三", "台盟")
POLITICAL_LABELS = {
    Resident.Political.MASSES: "群众",
    Resident.Political.PARTY_MEMBER: "中共党员",
    Resident.Political.PROBATIONARY: "中共预备党员",
    Resident.Political.LEAGUE: "共青团员",
    Resident.Political.DEMOCRATIC: "民主党派",
}

SEX = {"男": "M", "男性": "M", "M": "M", "女": "F", "女性": "F", "F": "F"}

_TAG_SEPARATORS = re.compile(r"[,、;\s/]+")
# "李四 13800000000" or "李四（女儿）" in the emergency-contact column.
_CONTACT_WITH_PHONE = re.compile(r"^(.*?)[\s:,]*(\+?\d[\d\-\s]{6,})$")
_CONTACT_WITH_RELATION = re.compile(r"^(.*?)\((.+)\)$")


def split_tags(value) -> list[str]:
    return [t for t in _TAG_SEPARATORS.split(cell_text(value)) if t]


# ----------------------------------------------------------------------------
# Validating residents


@dataclass
class ResidentRow:
    """One valid row, ready for the services, with what was left out of it."""

    row: int
    values: dict[str, Any]  # keyword arguments of resident_create, except household and tags
    address: tuple[str, str, str, str] | None  # compound, building, unit, room; None: no household
    tags: list[Tag]
    emergency: dict[str, str] | None = None
    warnings: list[RowError] = field(default_factory=list)


@dataclass
class _Context:
    tags: dict[str, Tag]
    registered: set[str]  # id-number indexes already in the community
    seen: dict[str, int] = field(default_factory=dict)  # ID number → first row in the sheet


def _resident_context() -> _Context:
    tags: dict[str, Tag] = {}
    for tag in Tag.objects.all():
        tags[tag.name] = tag
        tags.setdefault(tag.code, tag)
    registered = set(
        Resident.objects.exclude(id_number_index="").values_list("id_number_index", flat=True)
    )
    return _Context(tags=tags, registered=registered)


def residents_validate(sheet: Sheet) -> tuple[list[ResidentRow], list[RowError]]:
    """Check every row; the good ones come back ready to import (with their warnings),
    the refused ones as errors."""
    context = _resident_context()
    good: list[ResidentRow] = []
    errors: list[RowError] = []
    for row_number, cells in sheet.rows:
        broken = cell_errors(row_number, cells, sheet.labels, yes_no=RESIDENT_YES_NO)
        if broken:
            errors.extend(broken)
            continue
        parsed, row_errors = _validate_resident(row_number, cells, sheet.labels, context)
        if row_errors:
            errors.extend(row_errors)
        else:
            good.append(parsed)
    return good, errors


# The parts of an address, their longest value, and the ones a household needs.
_ADDRESS_MAX = {"compound": 100, "building": 40, "unit": 20, "room": 20}
_ADDRESS_NEEDED = ("compound", "building", "room")


def _validate_resident(
    row_number: int, cells: dict[str, Any], labels: dict[str, str], context: _Context
) -> tuple[ResidentRow | None, list[RowError]]:
    errors: list[RowError] = []
    warnings: list[RowError] = []

    def column(name: str) -> str:
        return labels.get(name) or _HEADER_OF.get(name, name)

    def fail(name: str, message: str) -> None:
        errors.append(RowError(row_number, column(name), message))

    def warn(name: str, message: str) -> None:
        warnings.append(RowError(row_number, column(name), message))

    def text(name: str) -> str:
        return cell_text(cells.get(name))

    # The person: the rules of validation.py, as the form and the API keep them.
    birth_date = None
    try:
        birth_date = parse_date(cells.get("birth_date"))
    except InvalidValue as exc:
        fail("birth_date", str(exc))
    sex_text = text("sex")
    ethnicity = clean_name(cells.get("ethnicity")) or "汉族"
    if not ethnicity.endswith(("族", "人")):
        ethnicity += "族"
    values, problems = resident_problems(
        {
            "name": cells.get("name"),
            "id_number": cells.get("id_number"),
            "birth_date": birth_date,
            "sex": SEX.get(sex_text.upper(), sex_text) if sex_text else "",
            "phone": cells.get("phone"),
            "ethnicity": ethnicity,
            "category": text("category"),
        }
    )
    for problem in problems:
        fail(problem.field, problem.message)

    id_number = values["id_number"]
    if id_number:
        first = context.seen.setdefault(id_number, row_number)
        if first != row_number:
            fail("id_number", _("身份证号码与第 %(row)d 行重复") % {"row": first})
        elif id_number_index(id_number) in context.registered:
            fail("id_number", _("该身份证号码已登记"))

    address = _validate_address(cells, fail, warn)

    relation = RELATIONS.get(clean_name(cells.get("relation")), "")
    if not relation:
        relation = Resident.Relation.OTHER if text("relation") else Resident.Relation.HEAD

    tags: list[Tag] = []
    unknown = []
    for tag_name in split_tags(cells.get("tags")):
        tag = context.tags.get(tag_name)
        if tag is None:
            unknown.append(tag_name)
        elif tag not in tags:
            tags.append(tag)
    political = _political(clean_name(cells.get("political")))
    try:
        party_member = parse_yes_no(cells.get("party_member"))
    except InvalidValue as exc:
        fail("party_member", str(exc))
    else:
        political = _party_member(party_member, political, text("political"), fail)

    if unknown:
        fail(
            "tags",
            _("未知的标签：%(tags)s（可用：%(known)s）")
            % {
                "tags": "、".join(unknown),
                "known": "、".join(sorted({t.name for t in context.tags.values()})),
            },
        )

    emergency = _validate_emergency(cells, fail, warn)

    if errors:
        return None, errors
    return (
        ResidentRow(
            row=row_number,
            values={
                "name": values["name"],
                "sex": values["sex"],
                "ethnicity": values["ethnicity"],
                "birth_date": birth_date,
                "id_number": id_number,
                "phone": values["phone"],
                "relation_to_head": relation,
                "political_status": political,
                "category": values["category"],
                "notes": text("notes"),
            },
            address=address,
            tags=tags,
            emergency=emergency,
            warnings=warnings,
        ),
        [],
    )


def _validate_address(cells: dict[str, Any], fail, warn) -> tuple[str, str, str, str] | None:
    """The household's address; a part too long refuses the row, a part missing only warns:
    the resident is imported without a household (as the form allows) and placed later."""
    parts = {}
    for part, longest in _ADDRESS_MAX.items():
        value = cell_words(cells.get(part))
        if part == "unit":
            value = value.removesuffix("单元")
        elif part == "room":
            value = value.removesuffix("室")
        if len(value) > longest:
            fail(part, _("内容过长"))
        parts[part] = value
    missing = [part for part in _ADDRESS_NEEDED if not parts[part]]
    if not missing:
        return (parts["compound"], parts["building"], parts["unit"], parts["room"])
    if len(missing) == len(_ADDRESS_NEEDED) and not parts["unit"]:
        warn("compound", _("没有填写住址：居民已导入，暂未入户，请在居民页补上住址"))
    else:
        warn(
            missing[0],
            _("住址不完整（缺少%(parts)s）：居民已导入，暂未入户，请在居民页补上住址")
            % {"parts": "、".join(RESIDENT_REQUIRED[part] for part in missing)},
        )
    return None


def _validate_emergency(cells: dict[str, Any], fail, warn) -> dict[str, str] | None:
    """The emergency contact: a wrong value refuses the row; a contact left incomplete
    (a name without a phone, a phone without a name) is left out with a warning.
    EmergencyContact needs both, so nothing of it is kept."""
    contact = cell_text(cells.get("emergency_name"))
    phone_cell = cells.get("emergency_phone")
    relation = clean_name(cells.get("emergency_relation"))
    if contact and not cell_text(phone_cell):
        match = _CONTACT_WITH_PHONE.fullmatch(contact)
        if match:
            contact, phone_cell = match.group(1), match.group(2)
    contact = clean_name(contact)
    match = _CONTACT_WITH_RELATION.fullmatch(contact)
    if match:
        contact, relation = match.group(1), relation or match.group(2)
    if not contact and not cell_text(phone_cell):
        if relation:
            warn(
                "emergency_relation",
                _("只填了紧急联系人关系，没有联系人和电话：这一项没有导入，居民已导入"),
            )
        return None
    values, problems = emergency_contact_problems(
        name=contact, phone=phone_cell, relation=relation[:20]
    )
    wrong = [p for p in problems if not p.missing]
    for problem in wrong:
        fail(_CONTACT_FIELDS[problem.field], problem.message)
    if wrong:
        return None
    if problems:
        if problems[0].field == "phone":
            warn(
                "emergency_phone",
                _("没有填写紧急联系电话：紧急联系人没有导入，居民已导入。请补上电话后在居民页添加"),
            )
        else:
            warn(
                "emergency_name",
                _("填写了紧急联系电话，但没有填写紧急联系人：这个电话没有导入，居民已导入"),
            )
        return None
    return values


_CONTACT_FIELDS = {
    "name": "emergency_name",
    "phone": "emergency_phone",
    "relation": "emergency_relation",
}


_PARTY = (Resident.Political.PARTY_MEMBER, Resident.Political.PROBATIONARY)


def _party_member(party_member: bool | None, political: str, written: str, fail) -> str:
    """The political status, with 是否党员 (是/否, TRUE/FALSE) beside 政治面貌.

    是 with 政治面貌 empty is 中共党员; an answer 政治面貌 contradicts refuses the row.
    """
    if party_member is None:
        return political
    if party_member and not written:
        return Resident.Political.PARTY_MEMBER
    if party_member != (political in _PARTY):
        fail(
            "party_member",
            _("是否党员填的是“%(answer)s”，政治面貌却是“%(political)s”，请核对")
            % {
                "answer": "是" if party_member else "否",
                "political": written or POLITICAL_LABELS[political],
            },
        )
    return political


def _political(value: str) -> str:
    if value in POLITICAL:
        return POLITICAL[value]
    if value.startswith(DEMOCRATIC_PREFIXES):
        return Resident.Political.DEMOCRATIC
    return Resident.Political.MASSES


# ----------------------------------------------------------------------------
# Writing


class _StrictAbort(Exception):
    def __init__(self, error: RowError):
        super().__init__(error.message)
        self.error = error


_FIELD_COLUMNS = {
    "name": "姓名",
    "id_number": "身份证号码",
    "birth_date": "出生日期",
    "phone": "联系电话",
}


# Rows saved per bulk insert. A chunk is one savepoint of whole rows; if it
# fails, its rows are saved again one by one, each in its own savepoint.
CHUNK_SIZE = 500


@dataclass
class _Addresses:
    """Compounds, buildings and households of the community, loaded once per import."""

    compounds: dict[str, Compound]
    buildings: dict[tuple[int, str], Building]
    households: dict[tuple[str, str, str, str], Household]

    @classmethod
    def load(cls) -> _Addresses:
        compounds = {c.name: c for c in Compound.objects.all()}
        compound_by_pk = {c.pk: c for c in compounds.values()}
        buildings, building_by_pk = {}, {}
        for b in Building.objects.all():
            b.compound = compound_by_pk[b.compound_id]
            buildings[(b.compound_id, b.name)] = b
            building_by_pk[b.pk] = b
        households = {}
        for h in Household.objects.all():
            h.building = building = building_by_pk[h.building_id]
            households[(building.compound.name, building.name, h.unit, h.room)] = h
        return cls(compounds, buildings, households)

    def snapshot(self) -> tuple[dict, dict, dict]:
        return dict(self.compounds), dict(self.buildings), dict(self.households)

    def restore(self, saved: tuple[dict, dict, dict]) -> None:
        self.compounds, self.buildings, self.households = saved

    def learn(self, household: Household) -> None:
        building = household.building
        compound = building.compound
        self.compounds[compound.name] = compound
        self.buildings[(compound.pk, building.name)] = building
        self.households[(compound.name, building.name, household.unit, household.room)] = household


def residents_import(
    *, actor, rows: list[ResidentRow], strict: bool, source: str = ""
) -> tuple[list[Resident], list[RowError]]:
    """Save validated rows; each row whole (resident, household, tags, contact) or not at all.

    Rows go in by chunks of bulk inserts. Should a chunk fail (say an ID number
    was registered meanwhile), its rows are saved again one by one through
    `resident_create` in their own savepoints and the failing ones reported.
    Strict: the first failing row undoes the whole batch (raises _StrictAbort).
    One `resident.import` audit entry sums the batch up, besides the
    `resident.create` entry of each resident.
    """
    ids = current_community_ids()
    if len(ids) != 1:
        raise RegistryError(_("导入需要确定一个社区"))
    community = Community.objects.get(pk=ids[0])
    addresses = _Addresses.load()
    bulk = connection.features.can_return_rows_from_bulk_insert
    created: list[Resident] = []
    errors: list[RowError] = []
    with transaction.atomic():
        for start in range(0, len(rows), CHUNK_SIZE):
            chunk = rows[start : start + CHUNK_SIZE]
            if bulk:
                saved = addresses.snapshot()
                try:
                    with transaction.atomic():
                        created.extend(_import_chunk(actor, community, chunk, addresses))
                    continue
                except IntegrityError:
                    addresses.restore(saved)
            for item in chunk:
                try:
                    with transaction.atomic():
                        resident = _import_one(actor, item, addresses)
                except (RegistryError, IntegrityError) as exc:
                    error = _write_error(item, exc)
                    if strict:
                        raise _StrictAbort(error) from exc
                    errors.append(error)
                else:
                    if resident.household is not None:
                        addresses.learn(resident.household)
                    created.append(resident)
        audit(
            actor=actor,
            community_id=community.pk,
            action="resident.import",
            obj=community,
            new={
                "source": source,
                "strict": strict,
                "imported": len(created),
                "failed": len(errors),
                "residents": [r.pk for r in created],
            },
        )
    return created, errors


def _write_error(item: ResidentRow, exc: Exception) -> RowError:
    column = _FIELD_COLUMNS.get(getattr(exc, "field", None) or "", "")
    if isinstance(exc, RegistryError):
        return RowError(item.row, column, str(exc))
    return RowError(item.row, column, _("保存失败：%(e)s") % {"e": exc})


def _import_one(actor, item: ResidentRow, addresses: _Addresses) -> Resident:
    """One row through the services (the slow, exact path)."""
    household = addresses.households.get(item.address) if item.address else None
    if household is None and item.address:
        compound, building, unit, room = item.address
        household, _created = household_get_or_create(
            compound_name=compound, building_name=building, unit=unit, room=room
        )
    resident = resident_create(actor=actor, household=household, tags=item.tags, **item.values)
    if item.emergency:
        emergency_contact_add(actor=actor, resident=resident, **item.emergency)
    return resident


def _import_chunk(
    actor, community: Community, chunk: list[ResidentRow], addresses: _Addresses
) -> list[Resident]:
    """Whole rows by bulk insert: what _import_one does, in a handful of queries."""
    cid = community.pk
    new_buildings: dict[tuple[int, str], Building] = {}
    addressed = {i.address for i in chunk if i.address}
    for compound_name, building_name, _unit, _room in addressed:
        compound = addresses.compounds.get(compound_name)
        if compound is None:
            compound = compound_get_or_create(name=compound_name)
            addresses.compounds[compound_name] = compound
        key = (compound.pk, building_name)
        if key not in addresses.buildings and key not in new_buildings:
            new_buildings[key] = Building(community_id=cid, compound=compound, name=building_name)
    Building.objects.bulk_create(new_buildings.values())
    addresses.buildings.update(new_buildings)

    new_households: dict[tuple[str, str, str, str], Household] = {}
    for address in addressed:
        if address not in addresses.households:
            compound_name, building_name, unit, room = address
            building = addresses.buildings[(addresses.compounds[compound_name].pk, building_name)]
            new_households[address] = Household(
                community_id=cid, building=building, unit=unit, room=room
            )
    Household.objects.bulk_create(new_households.values())
    addresses.households.update(new_households)

    residents = [
        resident_build(
            community_id=cid,
            household=addresses.households[item.address] if item.address else None,
            **item.values,
        )
        for item in chunk
    ]
    Resident.objects.bulk_create(residents)
    Resident.tags.through.objects.bulk_create(
        Resident.tags.through(resident_id=r.pk, tag_id=t.pk)
        for r, item in zip(residents, chunk, strict=True)
        for t in item.tags
    )
    EmergencyContact.objects.bulk_create(
        EmergencyContact(community_id=cid, resident=r, priority=1, **item.emergency)
        for r, item in zip(residents, chunk, strict=True)
        if item.emergency
    )
    # The entry resident_create writes, once per resident.
    AuditLog.objects.bulk_create(
        AuditLog(
            community_id=cid,
            actor=actor if getattr(actor, "pk", None) else None,
            action="resident.create",
            object_type=Resident._meta.label_lower,
            object_id=r.pk,
            new={"household": r.household_id},
        )
        for r in residents
    )
    return residents


def residents_import_file(
    file: str | IO[bytes], *, actor, strict: bool = False, source: str = ""
) -> ImportReport:
    """Read, check and import a residents sheet; never raises for bad content."""
    report = ImportReport(strict=strict)
    try:
        sheet = read_sheet(
            file, columns=RESIDENT_COLUMNS, key_header="姓名", required=RESIDENT_REQUIRED
        )
    except SheetError as exc:
        report.errors.append(RowError(None, "", str(exc)))
        return report
    report.notes.extend(sheet.notes)
    report.rows_total = len(sheet.rows)
    good, errors = residents_validate(sheet)
    report.errors.extend(errors)
    if not sheet.rows:
        report.notes.append(_("表格中没有数据行"))
    if strict and errors:
        report.rejected = len(report.rejected_rows)
        report.notes.append(_("严格模式：有错误的行，因此没有导入任何数据"))
        return report
    if not good:
        report.rejected = len(report.rejected_rows)
        return report
    try:
        created, write_errors = residents_import(
            actor=actor, rows=good, strict=strict, source=source
        )
    except _StrictAbort as abort:
        report.errors.append(abort.error)
        report.rejected = len(report.rejected_rows)
        report.notes.append(_("严格模式：有错误的行，因此没有导入任何数据"))
        return report
    report.errors.extend(write_errors)
    report.warnings.extend(w for item in good for w in item.warnings)
    report.imported = len(created)
    report.created_ids = [r.pk for r in created]
    report.rejected = len(report.rejected_rows)
    return report
