"""Demo homes' floor areas and owners for a generated community (called by
kuihua.demo.write after the registry is written).

Most homes are owned by the household's head, often with the spouse as co-owner;
some by people who live elsewhere (a landlord, a child who bought the parents'
flat), a few of whom own several homes in one compound; a few homes have no
owner on record yet, and a few no area, as a real register would. Bulk inserts:
the rules they keep are those of `services.owner_add` (one row per owner and home).
"""

from __future__ import annotations

import random
from decimal import Decimal

from kuihua.registry.models import Household, Ownership, Resident
from kuihua.registry.services import phone_indexes

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英建华志国海燕"


def _outside_person(rng: random.Random) -> tuple[str, str]:
    name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
    phone = "1" + rng.choice("3589") + "".join(rng.choices("0123456789", k=9))
    return name, phone


def demo_owners(*, community, seed: int) -> int:
    """Areas and owners for every home of `community`; returns the owners written."""
    rng = random.Random(f"kuihua-demo-owners:{seed}")
    homes = list(Household.objects.select_related("building").order_by("id"))
    heads: dict[int, list[Resident]] = {}
    for r in Resident.objects.filter(relation_to_head__in=("head", "spouse")).order_by("id"):
        heads.setdefault(r.household_id, []).append(r)
    by_compound: dict[int, list[Household]] = {}
    for home in homes:
        by_compound.setdefault(home.building.compound_id, []).append(home)
        if rng.random() > 0.03:  # 3% of areas not yet entered
            home.exclusive_area = Decimal(rng.randrange(4500, 14000)) / 100
    Household.objects.bulk_update(homes, ["exclusive_area"], batch_size=1000)

    rows: list[Ownership] = []
    for compound_homes in by_compound.values():
        landlords = [_outside_person(rng) for _ in range(max(1, len(compound_homes) // 60))]
        for home in compound_homes:
            family = sorted(heads.get(home.pk, []), key=lambda r: r.relation_to_head != "head")
            roll = rng.random()
            if family and roll < 0.80:  # the head, and the spouse as co-owner in 40%
                owners = family[:2] if len(family) > 1 and rng.random() < 0.4 else family[:1]
                rows += [
                    Ownership(community=community, household=home, resident=r, name=r.name)
                    for r in owners
                ]
            elif roll < 0.92:  # someone who lives elsewhere; a few own several homes here
                name, phone = rng.choice(landlords) if rng.random() < 0.3 else _outside_person(rng)
                rows.append(
                    Ownership(
                        community=community,
                        household=home,
                        name=name,
                        phone=phone,
                        phone_index=phone_indexes(phone)[0],
                    )
                )
            # else: no owner on record yet
    Ownership.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
