"""One set of rules for a resident, wherever the person comes in.

The form and the API (through services.resident_create and resident_update) and
the sheet importer (importing.residents_validate) all check a resident here, so
that the same bad value is refused with the same message on every path. Values
come in already parsed (a date is a date, sex is "M", "F" or what the sheet
said); what a path parses on its own is only the shape of its input.

`resident_problems` checks the fields it is given (an update gives only the
changed ones) and returns the cleaned values with every problem found: the
importer reports a whole row at once, the services raise the first.
`emergency_contact_problems` does the same for a contact, telling a part left
empty (`missing`: the importer warns and leaves the contact out) from a wrong
value (refused everywhere).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.core.identity import (
    InvalidValue,
    birth_from_id,
    clean_name,
    clean_text,
    normalize_id_number,
    normalize_phone,
    sex_from_id,
)
from kuihua.core.sheets import cell_text

NAME_MAX = 40
SEX_LABELS = {"M": "男", "F": "女"}
# Lengths of the plain text fields (the columns of Resident).
TEXT_MAX = {"ethnicity": 20, "category": 40}
CONTACT_NAME_MAX = 40
CONTACT_RELATION_MAX = 20


@dataclass(frozen=True)
class Problem:
    """A value refused (or, when `missing`, a part left empty): field and the user's message."""

    field: str
    message: str
    missing: bool = False


def parse_id_number(value) -> str:
    """normalize_id_number, with a clear word for a number Excel rounded or a masked copy."""
    if isinstance(value, float):
        raise InvalidValue(
            _("身份证号码被 Excel 存成了数字，后几位已丢失；请把该列设为“文本”后重新填写")
        )
    text = cell_text(value)
    if "*" in text:
        raise InvalidValue(_("身份证号码已脱敏（含 *），不能导入；请使用完整号码"))
    return normalize_id_number(text)


def parse_phone(value) -> str:
    """normalize_phone, refusing a masked copy (138****0000) with its own reason."""
    text = cell_text(value)
    if "*" in text:
        raise InvalidValue(_("电话号码已脱敏（含 *），不能导入；请使用完整号码"))
    return normalize_phone(text)


def clean_resident_name(value) -> str:
    """The name without spaces; raises InvalidValue when empty, too long or with digits."""
    name = clean_name(value)
    if not name:
        raise InvalidValue(_("姓名不能为空"))
    if len(name) > NAME_MAX:
        raise InvalidValue(_("姓名不能超过40个字"))
    if re.search(r"\d", name):
        raise InvalidValue(_("姓名里不能有数字，请检查是否与别的列串了"))
    return name


def birth_date_problem(birth: dt.date, id_number: str) -> str:
    """Why a birth date cannot be (against the ID number when there is one), or ""."""
    if id_number and birth != birth_from_id(id_number):
        return _("出生日期与身份证号码不一致（身份证上为 %(date)s）") % {
            "date": birth_from_id(id_number).isoformat()
        }
    if birth > timezone.localdate():
        return _("出生日期不能晚于今天")
    if birth.year < 1900:
        return _("出生日期早于1900年，请检查")
    return ""


def sex_problem(sex: str, id_number: str) -> str:
    """Why a sex ("M"/"F") cannot be (against the ID number when there is one), or ""."""
    if sex not in SEX_LABELS:
        return _("性别应填写“男”或“女”")
    if id_number and sex != sex_from_id(id_number):
        return _("性别与身份证号码不一致（身份证上为%(sex)s）") % {
            "sex": SEX_LABELS[sex_from_id(id_number)]
        }
    return ""


def resident_problems(
    values: dict[str, Any], *, id_on_file: str = ""
) -> tuple[dict[str, Any], list[Problem]]:
    """The given fields cleaned, and every problem in them, in the order of a form.

    Checks only the keys present (name, id_number, birth_date, sex, phone,
    ethnicity, category). A birth date or sex is held against the ID number given,
    or, when none is given, against `id_on_file` (the resident's, on an update).
    """
    out = dict(values)
    problems: list[Problem] = []

    def check(field: str, parse) -> None:
        try:
            out[field] = parse(values[field])
        except InvalidValue as exc:
            problems.append(Problem(field, str(exc)))
            out[field] = None

    if "name" in values:
        check("name", clean_resident_name)
    id_number = id_on_file
    if "id_number" in values:
        check("id_number", parse_id_number)
        id_number = out["id_number"] or ""
        if id_number and birth_from_id(id_number) > timezone.localdate():
            problems.append(Problem("id_number", _("身份证号码中的出生日期晚于今天")))
    if values.get("birth_date"):
        message = birth_date_problem(values["birth_date"], id_number)
        if message:
            problems.append(Problem("birth_date", message))
    if values.get("sex"):
        message = sex_problem(values["sex"], id_number)
        if message:
            problems.append(Problem("sex", message))
    if "phone" in values:
        check("phone", parse_phone)
    for field, limit in TEXT_MAX.items():
        if field in values:
            out[field] = clean_text(values[field])
            if len(out[field]) > limit:
                problems.append(Problem(field, _("内容过长")))
    return out, problems


def emergency_contact_problems(*, name, phone, relation="") -> tuple[dict[str, str], list[Problem]]:
    """A contact cleaned, and its problems: a part left empty is `missing`, a wrong value not.

    Whom to call needs both a name and a phone (EmergencyContact.phone is required).
    """
    contact = {"name": clean_name(name), "phone": "", "relation": clean_name(relation)}
    problems: list[Problem] = []
    if len(contact["name"]) > CONTACT_NAME_MAX:
        problems.append(Problem("name", _("紧急联系人姓名不能超过40个字")))
    try:
        contact["phone"] = parse_phone(phone)
    except InvalidValue as exc:
        problems.append(Problem("phone", str(exc)))
    if len(contact["relation"]) > CONTACT_RELATION_MAX:
        problems.append(Problem("relation", _("内容过长")))
    if not contact["name"]:
        problems.append(Problem("name", _("紧急联系人姓名不能为空"), missing=True))
    if not contact["phone"] and not any(p.field == "phone" for p in problems):
        problems.append(Problem("phone", _("紧急联系人电话不能为空"), missing=True))
    return contact, problems


# A home's exclusive area: above 0, below this, two decimal places (m²).
AREA_MAX = Decimal("10000")


def parse_area(value) -> Decimal | None:
    """A floor area as typed or read from a sheet (\"89.5\", 89.5, \"89.5㎡\", \"89.5平方米\");
    None when empty. Raises InvalidValue for anything that is not an area."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    # cell_text folds full-width forms: ㎡ arrives as "m2".
    text = re.sub(r"\s*(㎡|m²|m2|平方米|平米)$", "", cell_text(value), flags=re.IGNORECASE).strip()
    try:
        area = Decimal(text)
    except InvalidOperation:
        raise InvalidValue(_("面积“%(value)s”不是数字") % {"value": text}) from None
    if not area.is_finite() or area <= 0 or area >= AREA_MAX:
        raise InvalidValue(_("面积须大于 0、小于 10000 平方米"))
    if area != area.quantize(Decimal("0.01")):
        raise InvalidValue(_("面积最多保留两位小数"))
    return area.quantize(Decimal("0.01"))
