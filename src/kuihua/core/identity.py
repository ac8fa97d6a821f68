"""Normalising and checking the identity fields people type or paste.

Used by forms, the API and the Excel import alike, so that a value means the
same wherever it comes in.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache

import phonenumbers
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK = "10X98765432"


class InvalidValue(ValueError):
    """A value that cannot be accepted; the message is for the user, translated."""


def clean_text(value) -> str:
    """Full-width to half-width, ASCII and ideographic spaces removed at both ends."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return text.strip()


def clean_name(value) -> str:
    """张 三 / 张　三 → 张三; keeps the middle dot of minority names (阿卜杜·热合曼)."""
    text = clean_text(value)
    return re.sub(r"\s+", "", text)


def id_check_digit(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def normalize_id_number(value) -> str:
    """Return an 18-character resident ID number or raise InvalidValue (GB 11643-1999)."""
    text = re.sub(r"[\s\-]", "", clean_text(value)).upper()
    if not text:
        return ""
    if not re.fullmatch(r"\d{17}[\dX]", text):
        raise InvalidValue(_("身份证号码应为18位（最后一位可以是X）"))
    if id_check_digit(text[:17]) != text[17]:
        raise InvalidValue(_("身份证号码校验位不正确"))
    try:
        birth_from_id(text)
    except ValueError as exc:
        raise InvalidValue(_("身份证号码中的出生日期不存在")) from exc
    return text


def age_on(birth: dt.date | None, day: dt.date) -> int | None:
    """Whole years of age on `day`; None when the birth date is unknown."""
    if birth is None:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def birth_from_id(id_number: str) -> dt.date:
    return dt.date(int(id_number[6:10]), int(id_number[10:12]), int(id_number[12:14]))


def sex_from_id(id_number: str) -> str:
    """'M' or 'F' from the sequence digit (odd: male)."""
    return "M" if int(id_number[16]) % 2 else "F"


def normalize_phone(value) -> str:
    """A mainland number as digits: mobiles as 11 digits, landlines with area code.

    Accepts +86, 0086, dashes, spaces and full-width digits.
    """
    text = clean_text(value)
    if not text:
        return ""
    return _normalize_phone_text(text)


# Parsing with phonenumbers is the slow part of an import; the same text always
# gives the same answer (a refusal is raised again, never cached).
@lru_cache(maxsize=32_768)
def _normalize_phone_text(text: str) -> str:
    digits = re.sub(r"[^\d+]", "", text)
    try:
        parsed = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException as exc:
        raise InvalidValue(_("电话号码格式不正确")) from exc
    if parsed.country_code != 86 or not phonenumbers.is_valid_number(parsed):
        raise InvalidValue(_("电话号码格式不正确"))
    national = str(parsed.national_number)
    if phonenumbers.number_type(parsed) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ):
        return national
    return "0" + national


def is_mobile(phone: str) -> bool:
    return bool(re.fullmatch(r"1[3-9]\d{9}", phone or ""))


@lru_cache(maxsize=32_768)
def pinyin_keys(name: str) -> tuple[str, str]:
    """(full pinyin, initials) in lower case: 张三 → ('zhangsan', 'zs')."""
    syllables = [s.lower() for s in lazy_pinyin(name, style=Style.NORMAL, errors="ignore")]
    full = "".join(syllables)
    initials = "".join(s[0] for s in syllables if s)
    return full, initials
