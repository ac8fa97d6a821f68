"""Money, exactly: whole fen (分) in integers, never a float.

Every amount Kuihua stores is a `BigIntegerField` named `*_fen`; every amount a
person types is read here (`parse_yuan`), every amount shown is written here
(`yuan`), and every amount computed from a rate and a quantity is rounded here,
once, half away from zero to the fen (`fen_times`, `fen_percent`). The stewards'
books, the projects' funds and the market use this module and nothing else
(docs/adr/0014-ledger.md).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from kuihua.core.errors import ApplicationError

# The most a single amount may be: ¥100,000,000.00. Far above any fee, payment or
# expense a compound or an organization sees, and far below BigInteger's range, so a
# sum of a million of them cannot overflow either.
MAX_FEN = 100_000_000_00

_CENT = Decimal("0.01")
_STRIP = str.maketrans("", "", " ,，¥￥元")


def parse_yuan(text: str | int | Decimal, *, allow_zero: bool = False) -> int:
    """The fen of an amount typed in yuan ("12", "12.5", "¥1,234.50", "12.50元").

    Refused, with a message for the person who typed it: no number, more than two
    decimals (a fraction of a fen), a negative amount, zero unless `allow_zero`, and
    anything above MAX_FEN.
    """
    if isinstance(text, float):  # a float has already lost the fen; never guess
        raise TypeError("parse_yuan takes text, int or Decimal, never float")
    raw = str(text).strip().translate(_STRIP)
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ApplicationError(_("金额请填数字，如 120 或 85.50。")) from None
    if not value.is_finite():
        raise ApplicationError(_("金额请填数字，如 120 或 85.50。"))
    if value != value.quantize(_CENT):
        raise ApplicationError(_("金额最多到分（小数点后两位）。"))
    fen = int(value * 100)
    if fen < 0:
        raise ApplicationError(_("金额不能是负数。"))
    if fen == 0 and not allow_zero:
        raise ApplicationError(_("金额要大于 0。"))
    if fen > MAX_FEN:
        raise ApplicationError(_("金额太大，请核对。"))
    return fen


def yuan(fen: int | None, *, sign: bool = False) -> str:
    """An amount as people read it: "1,234.50"; with `sign`, "+1,234.50" / "-1,234.50"."""
    if fen is None:
        return ""
    negative = fen < 0
    whole, part = divmod(abs(int(fen)), 100)
    text = f"{whole:,}.{part:02d}"
    if negative:
        return f"-{text}"
    return f"+{text}" if sign and fen > 0 else text


def fen_to_decimal(fen: int) -> Decimal:
    """Yuan as a Decimal with two places (for a spreadsheet's number cell)."""
    return (Decimal(int(fen)) / 100).quantize(_CENT)


def fen_times(rate_fen: int, quantity: Decimal | int) -> int:
    """`rate_fen` × `quantity` (an area in m², a number of months), rounded to the fen."""
    product = Decimal(int(rate_fen)) * Decimal(quantity)
    return int(product.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def fen_percent(fen: int, percent: int | Decimal) -> int:
    """`percent` % of `fen`, rounded to the fen (a 50% reduction of 4,267 fen is 2,134)."""
    share = Decimal(int(fen)) * Decimal(percent) / 100
    return int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def split_fen(fen: int, parts: list[int]) -> list[int]:
    """Split `fen` in proportion to `parts` so that the shares add up to `fen` exactly
    (largest remainder): a market's proceeds split 70/30, never a fen lost or made."""
    total = sum(parts)
    if total <= 0:
        raise ValueError("split_fen needs positive parts")
    shares = [fen * p // total for p in parts]
    order = sorted(range(len(parts)), key=lambda i: -((fen * parts[i]) % total))
    for i in order[: fen - sum(shares)]:
        shares[i] += 1
    return shares


class MoneyFormField(forms.CharField):
    """A form field for an amount in yuan that cleans to whole fen (int)."""

    def __init__(self, *, allow_zero: bool = False, **kwargs):
        self.allow_zero = allow_zero
        kwargs.setdefault("max_length", 20)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")
        self.widget.attrs.setdefault("autocomplete", "off")

    def prepare_value(self, value):
        return yuan(value).replace(",", "") if isinstance(value, int) else value

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        try:
            return parse_yuan(value, allow_zero=self.allow_zero)
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from None


def money_field(verbose_name, **kwargs) -> models.BigIntegerField:
    """A model field holding whole fen; name it `<something>_fen`."""
    return models.BigIntegerField(verbose_name, **kwargs)
