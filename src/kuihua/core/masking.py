"""How sensitive values look to someone whose role does not need them whole."""

from __future__ import annotations


def mask_id_number(value: str | None) -> str:
    """110***********123X: the first three and the last four stay.

    Not the whole region code: pages show the birth date beside the masked number,
    and region + birth date + last four would be the whole number, read without the
    access log that a look at the whole number writes.
    """
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(value: str | None) -> str:
    """138****5678."""
    if not value:
        return ""
    digits = value
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_name(value: str | None) -> str:
    """张*, 欧阳** : the family name stays."""
    if not value:
        return ""
    value = value.strip()
    if len(value) == 1:
        return "*"
    return value[0] + "*" * (len(value) - 1)


def mask_text(value: str | None) -> str:
    return "******" if value else ""
