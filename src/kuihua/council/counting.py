"""How an owners' vote is decided under the Civil Code (民法典), art. 278 with art. 1259.

Pure arithmetic, exact (Fractions of integer heads and Decimal areas), no database:
the council's votes, the API and the tests all ask `decide()`.

- Quorum (参与表决): owners holding at least 2/3 of the exclusive area AND at least
  2/3 of the owners (by head) take part.
- Items 6–8 (raising the maintenance fund, rebuilding, changing the use of common
  parts or using them for business): at least 3/4 of the participating area AND of
  the participating owners agree.
- Everything else (items 1–5 and 9): more than half of both agree.
- "以上" includes the bound (art. 1259): exactly 2/3 or exactly 3/4 passes. "过半数"
  does not: exactly one half fails.

Who counts as one owner, and with what area, is the registry's
`compound_electorate` (co-owners of one home count once; an owner of several homes
once, with the areas added).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class Matter(models.TextChoices):
    """The matters of art. 278 para. 1, numbered as the article numbers them."""

    PROCEDURE_RULES = "1", gettext_lazy("制定和修改业主大会议事规则")
    MANAGEMENT_STATUTE = "2", gettext_lazy("制定和修改管理规约")
    OWNERS_COMMITTEE = "3", gettext_lazy("选举业主委员会或者更换业主委员会成员")
    PROPERTY_MANAGER = "4", gettext_lazy("选聘和解聘物业服务企业或者其他管理人")
    USE_MAINTENANCE_FUND = "5", gettext_lazy("使用建筑物及其附属设施的维修资金")
    RAISE_MAINTENANCE_FUND = "6", gettext_lazy("筹集建筑物及其附属设施的维修资金")
    REBUILD = "7", gettext_lazy("改建、重建建筑物及其附属设施")
    COMMON_PARTS_USE = "8", gettext_lazy("改变共有部分的用途或者利用共有部分从事经营活动")
    OTHER_MAJOR = "9", gettext_lazy("有关共有和共同管理权利的其他重大事项")


# Items 6, 7 and 8 need three quarters; the rest more than half.
SPECIAL_MATTERS = frozenset(
    {Matter.RAISE_MAINTENANCE_FUND, Matter.REBUILD, Matter.COMMON_PARTS_USE}
)

QUORUM = Fraction(2, 3)
SPECIAL_MAJORITY = Fraction(3, 4)
SIMPLE_MAJORITY = Fraction(1, 2)


@dataclass(frozen=True)
class Tally:
    """The counts of one vote. Participating owners are those who voted (abstaining
    included); `yes_*` those who agreed. Areas in m², exact."""

    eligible_heads: int
    eligible_area: Decimal
    voting_heads: int
    voting_area: Decimal
    yes_heads: int
    yes_area: Decimal

    def __post_init__(self):
        if not (0 <= self.yes_heads <= self.voting_heads <= self.eligible_heads):
            raise ValueError("heads must satisfy 0 <= yes <= voting <= eligible")
        if not (0 <= self.yes_area <= self.voting_area <= self.eligible_area):
            raise ValueError("areas must satisfy 0 <= yes <= voting <= eligible")


@dataclass(frozen=True)
class Outcome:
    matter: Matter
    quorum_met: bool
    passed: bool
    tally: Tally

    @property
    def special(self) -> bool:
        return self.matter in SPECIAL_MATTERS

    def explain(self) -> str:
        """Both counts and both areas, with the rule applied, in the user's language."""
        t = self.tally
        rule = (
            _("参与表决专有面积四分之三以上且参与表决人数四分之三以上同意")
            if self.special
            else _("参与表决专有面积过半数且参与表决人数过半数同意")
        )
        parts = [
            _("参与表决：%(vh)s/%(eh)s 人，%(va)s/%(ea)s ㎡（须面积和人数都达到三分之二以上）")
            % {
                "vh": t.voting_heads,
                "eh": t.eligible_heads,
                "va": t.voting_area,
                "ea": t.eligible_area,
            },
            _("同意：%(yh)s/%(vh)s 人，%(ya)s/%(va)s ㎡（%(rule)s）")
            % {
                "yh": t.yes_heads,
                "vh": t.voting_heads,
                "ya": t.yes_area,
                "va": t.voting_area,
                "rule": rule,
            },
        ]
        if not self.quorum_met:
            verdict = _("参与表决的业主不足，表决无效")
        elif self.passed:
            verdict = _("通过")
        else:
            verdict = _("未通过")
        return "；".join(parts) + "。" + verdict


def _share(part, whole) -> Fraction:
    return Fraction(part) / Fraction(whole) if whole else Fraction(0)


def quorum_met(tally: Tally) -> bool:
    """At least 2/3 of the area AND at least 2/3 of the owners took part (以上: inclusive)."""
    return (
        tally.eligible_heads > 0
        and _share(tally.voting_heads, tally.eligible_heads) >= QUORUM
        and _share(tally.voting_area, tally.eligible_area) >= QUORUM
    )


def decide(matter: Matter | str, tally: Tally) -> Outcome:
    """Whether `tally` decides `matter`: the quorum first, then the majority of both."""
    matter = Matter(matter)
    quorum = quorum_met(tally)
    heads = _share(tally.yes_heads, tally.voting_heads)
    area = _share(tally.yes_area, tally.voting_area)
    if matter in SPECIAL_MATTERS:
        agreed = heads >= SPECIAL_MAJORITY and area >= SPECIAL_MAJORITY
    else:
        agreed = heads > SIMPLE_MAJORITY and area > SIMPLE_MAJORITY
    return Outcome(matter=matter, quorum_met=quorum, passed=quorum and agreed, tally=tally)
