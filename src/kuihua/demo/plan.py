"""Planning a demo community in plain Python (the first half of the generator behind
`kuihua seed`, `kuihua demo` and `kuihua bench seed`; writing is write.py).

A community is first planned in plain Python (`plan_community`: a seeded
`random.Random`, so the same index, scale, seed and day give the same people),
then written in one transaction with `bulk_create` (`write_community`). At
full scale a community has about 15,000 residents in 5,500 households across
14 compounds (8 without a property company), 54 social organizations with
about 2,000 memberships, 10 partner units and 10 coordinator accounts.

Rules the data keeps, and the tests check:

- ID numbers are valid (check digit), carry the birth date, and their 17th
  digit is odd for men; adults have a mobile number, unique in the community;
- every household has exactly one head;
- 高龄 ⇔ 80 or older; 青少年 ⇔ 12 to 18; 独居 ⇔ 60 or older and alone in the household;
- about 8% of residents are party members, and about 70% of leaders;
- everyone 70 or older has an emergency contact.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import accumulate

from django.utils import timezone

from kuihua.core.identity import age_on, id_check_digit
from kuihua.demo import names
from kuihua.organizations.models import (
    Category,
    Membership,
    Stage,
)
from kuihua.registry.models import (
    Consent,
    Resident,
)

DEFAULT_SEED = 2026
FULL_HOUSEHOLDS = 5_500
FULL_MEMBERSHIPS = 2_000
FULL_ORGANIZATIONS = 54
COMPOUNDS = 14
SELF_MANAGED_COMPOUNDS = 8
COORDINATORS = 10
PARTY_SHARE_OF_LEADERS = 0.7
CARE_AGE = 70
CARE_TAGS = ("living_alone", "advanced_age", "ill_disabled")
BATCH = 1_000

# The demo logins all share this password; it is printed by `kuihua demo`.
DEMO_PASSWORD = "kuihua-demo"  # noqa: S105 - demo-only, printed on purpose

R = Resident.Relation
P = Resident.Political

# Household kinds with weights, tuned for ~2.7 people a household and ~30% aged 60+.
HOUSEHOLD_KINDS: list[tuple[str, float]] = [
    ("elder_alone", 0.10),
    ("elder_couple", 0.16),
    ("single", 0.07),
    ("couple", 0.12),
    ("nuclear", 0.30),
    ("three_generations", 0.16),
    ("elder_with_child", 0.09),
]

STAGE_WEIGHTS: list[tuple[str, float]] = [
    (Stage.INCUBATING, 0.15),
    (Stage.FILED, 0.35),
    (Stage.REGISTERED, 0.30),
    (Stage.BRAND, 0.20),
]
# Days from one stage to the next (min, max).
STAGE_GAPS = {
    Stage.FILED: (90, 540),
    Stage.REGISTERED: (180, 900),
    Stage.BRAND: (365, 1200),
}


# -- the plan ----------------------------------------------------------------


@dataclass
class PersonPlan:
    surname: str
    name: str
    sex: str
    birth_date: dt.date
    id_number: str
    relation: str
    household: int
    age: int = 0
    phone: str = ""
    ethnicity: str = "汉族"
    political: str = P.MASSES
    category: str = ""
    health: str = ""
    tags: list[str] = field(default_factory=list)
    contacts: list[tuple[str, str, str]] = field(default_factory=list)
    consents: list[str] = field(default_factory=list)

    @property
    def is_party_member(self) -> bool:
        return self.political in (P.PARTY_MEMBER, P.PROBATIONARY)

    @property
    def is_care_eligible(self) -> bool:
        return self.age >= CARE_AGE and any(t in self.tags for t in CARE_TAGS)


@dataclass
class CompoundPlan:
    name: str
    address: str
    has_property_company: bool
    property_company: str


@dataclass
class BuildingPlan:
    compound: int
    name: str


@dataclass
class HouseholdPlan:
    building: int
    unit: str
    room: str
    members: list[int] = field(default_factory=list)


@dataclass
class OrganizationPlan:
    name: str
    category: str
    stage: str
    description: str
    funds_note: str
    stage_dates: list[tuple[str, dt.date]]
    leader: int
    members: list[tuple[int, str, dt.date]] = field(default_factory=list)

    @property
    def founded_on(self) -> dt.date:
        return self.stage_dates[0][1]


@dataclass
class PartnerPlan:
    name: str
    kind: str
    services: str
    contact_name: str
    contact_phone: str


@dataclass
class CommunityPlan:
    index: int
    name: str
    code: str
    street: str
    district: str
    area_km2: Decimal
    today: dt.date
    compounds: list[CompoundPlan] = field(default_factory=list)
    buildings: list[BuildingPlan] = field(default_factory=list)
    households: list[HouseholdPlan] = field(default_factory=list)
    people: list[PersonPlan] = field(default_factory=list)
    organizations: list[OrganizationPlan] = field(default_factory=list)
    partners: list[PartnerPlan] = field(default_factory=list)
    coordinators: list[tuple[str, str]] = field(default_factory=list)


def community_identity(index: int) -> tuple[str, str, str, str]:
    """(name, code, short name, street office) of the index-th generated community (from 1)."""
    if index < 1:
        raise ValueError("community index starts at 1")
    name, short, street = names.COMMUNITIES[(index - 1) % len(names.COMMUNITIES)]
    cycle = (index - 1) // len(names.COMMUNITIES)
    if cycle:
        name = f"{name}（{cycle + 1}）"
    return name, f"demo-{index}", short, street


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _by_age(age: int, bands: Sequence[tuple[int, float]], above: float) -> float:
    """The value of the first (upper age, value) band that `age` is under, else `above`."""
    return next((value for upper, value in bands if age < upper), above)


_GENERATIONS = [(1960, "old"), (1985, "middle"), (2005, "young")]


def _weighted(items: Sequence[tuple[str, float]]) -> tuple[list[str], list[float]]:
    return [i for i, _w in items], list(accumulate(w for _i, w in items))


_SURNAMES = _weighted(names.SURNAMES)
_ETHNICITIES = _weighted(names.ETHNICITIES)
_REGIONS = _weighted(names.REGIONS)
_KINDS = _weighted(HOUSEHOLD_KINDS)
_STAGES = _weighted(STAGE_WEIGHTS)


def _apportion(total: int, weights: Sequence[float], *, minimum: int = 0) -> list[int]:
    """Split `total` into integers proportional to `weights` (largest remainder)."""
    n = len(weights)
    base = minimum * n
    if total < base:
        raise ValueError("total too small for the minimum")
    rest = total - base
    s = sum(weights)
    exact = [rest * w / s for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(n), key=lambda i: (-(exact[i] - counts[i]), i))
    for i in order[: rest - sum(counts)]:
        counts[i] += 1
    return [c + minimum for c in counts]


class _Planner:
    def __init__(self, *, index: int, scale: float, seed: int, today: dt.date):
        if scale <= 0:
            raise ValueError("scale must be positive")
        self.index = index
        self.scale = scale
        self.today = today
        self.rng = random.Random(f"kuihua-demo:{seed}:{index}")
        # Only ever tested for membership, never iterated (set order is not stable).
        self._ids: set[str] = set()
        self._phones: set[str] = set()

    # -- small draws

    def pick(self, weighted: tuple[list[str], list[float]]) -> str:
        return self.rng.choices(weighted[0], cum_weights=weighted[1])[0]

    def surname(self) -> str:
        return self.pick(_SURNAMES)

    def given_name(self, sex: str, birth_year: int) -> str:
        generation = next((g for year, g in _GENERATIONS if birth_year < year), "child")
        pool = names.GIVEN_NAMES[generation][sex]
        r = self.rng.random()
        if r < names.SINGLE_CHAR_SHARE[generation]:
            return self.rng.choice(pool["single"])
        if r < names.SINGLE_CHAR_SHARE[generation] + 0.45:
            return self.rng.choice(pool["whole"])
        first = self.rng.choice(pool["chars"])
        second = self.rng.choice(pool["single"])
        return first + second

    def birth_for_age(self, age: int) -> dt.date:
        latest = years_before(self.today, age)
        earliest = years_before(self.today, age + 1) + dt.timedelta(days=1)
        return earliest + dt.timedelta(days=self.rng.randrange((latest - earliest).days + 1))

    def id_number(self, birth: dt.date, sex: str, region: str) -> str:
        while True:
            order = self.rng.randrange(0 if sex == "M" else 1, 500) * 2 + (sex == "M")
            first17 = f"{region}{birth:%Y%m%d}{order:03d}"
            if first17 not in self._ids:
                self._ids.add(first17)
                return first17 + id_check_digit(first17)

    def mobile(self) -> str:
        while True:
            number = self.rng.choice(names.MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self._phones:
                self._phones.add(number)
                return number

    def full_name(self, sex: str, age: int, surname: str | None = None) -> str:
        birth_year = self.today.year - age
        return (surname or self.surname()) + self.given_name(sex, birth_year)

    def political(self, age: int) -> str:
        r = self.rng.random()
        party = _by_age(age, [(18, 0.0), (35, 0.05), (60, 0.09)], 0.14)
        if r < party:
            return P.PROBATIONARY if age < 35 and r < party * 0.15 else P.PARTY_MEMBER
        if 14 <= age <= 28 and r < party + 0.35:
            return P.LEAGUE
        if age >= 40 and r < party + 0.004:
            return P.DEMOCRATIC
        return P.MASSES

    def date_between(self, start: dt.date, end: dt.date) -> dt.date:
        if end <= start:
            return start
        return start + dt.timedelta(days=self.rng.randrange((end - start).days + 1))

    # -- the community

    def plan(self) -> CommunityPlan:
        name, code, short, street = community_identity(self.index)
        area = (
            Decimal("1.80")
            if self.index == 1
            else Decimal(str(round(self.rng.uniform(0.6, 2.6), 2)))
        )
        plan = CommunityPlan(
            index=self.index,
            name=name,
            code=code,
            street=street,
            district="西湖区",
            area_km2=area,
            today=self.today,
        )
        self.plan_compounds(plan)
        self.plan_households(plan)
        self.plan_tags_and_care(plan)
        self.plan_organizations(plan, short)
        self.plan_partners(plan, short)
        self.plan_coordinators(plan)
        return plan

    def plan_compounds(self, plan: CommunityPlan) -> None:
        managed = self.rng.sample(names.MANAGED_COMPOUNDS, COMPOUNDS - SELF_MANAGED_COMPOUNDS)
        self_managed = self.rng.sample(names.SELF_MANAGED_COMPOUNDS, SELF_MANAGED_COMPOUNDS)
        chosen = [(n, True) for n in managed] + [(n, False) for n in self_managed]
        self.rng.shuffle(chosen)
        for compound_name, has_company in chosen:
            street = self.rng.choice(names.STREET_NAMES)
            plan.compounds.append(
                CompoundPlan(
                    name=compound_name,
                    address=f"{street}{self.rng.randint(1, 400)}号",
                    has_property_company=has_company,
                    property_company=(
                        self.rng.choice(names.PROPERTY_COMPANIES) if has_company else ""
                    ),
                )
            )

    def _addresses(self, compound: CompoundPlan):
        """Endless (building name, unit, room) addresses of a compound, some flats left empty."""
        number = 0
        while True:
            number += 1
            if compound.has_property_company:
                units, floors, per_floor = (
                    self.rng.randint(1, 2),
                    self.rng.randint(6, 18),
                    self.rng.randint(2, 4),
                )
            else:  # old walk-ups
                units, floors, per_floor = (
                    self.rng.randint(2, 4),
                    self.rng.randint(5, 7),
                    2,
                )
            for unit in range(1, units + 1):
                for floor in range(1, floors + 1):
                    for flat in range(1, per_floor + 1):
                        if self.rng.random() < 0.08:
                            continue
                        yield f"{number}幢", str(unit), f"{floor}{flat:02d}"

    def plan_households(self, plan: CommunityPlan) -> None:
        total = max(len(plan.compounds), round(FULL_HOUSEHOLDS * self.scale))
        weights = [
            self.rng.uniform(1.0, 2.0) if c.has_property_company else self.rng.uniform(0.5, 1.0)
            for c in plan.compounds
        ]
        quotas = _apportion(total, weights, minimum=1)
        for compound_index, (compound, quota) in enumerate(
            zip(plan.compounds, quotas, strict=True)
        ):
            buildings: dict[str, int] = {}
            addresses = self._addresses(compound)
            for _ in range(quota):
                building_name, unit, room = next(addresses)
                if building_name not in buildings:
                    buildings[building_name] = len(plan.buildings)
                    plan.buildings.append(BuildingPlan(compound=compound_index, name=building_name))
                household = HouseholdPlan(building=buildings[building_name], unit=unit, room=room)
                plan.households.append(household)
                self.plan_members(plan, len(plan.households) - 1)

    def plan_members(self, plan: CommunityPlan, household_index: int) -> None:
        """The people of one household: (relation, sex, age, surname) then PersonPlans."""
        rng = self.rng
        kind = self.pick(_KINDS)
        other = {"M": "F", "F": "M"}
        specs: list[tuple[str, str, int, str]] = []

        def elder_age(low: int, mode: int) -> int:
            return min(99, low + int(rng.triangular(0, 32, mode)))

        def couple(head_age: int, head_sex: str) -> str:
            head_surname = self.surname()
            specs.append((R.HEAD, head_sex, head_age, head_surname))
            spouse_age = max(20, head_age + rng.randint(-3, 3) + (-2 if head_sex == "M" else 2))
            spouse_surname = self.surname()
            specs.append((R.SPOUSE, other[head_sex], spouse_age, spouse_surname))
            return head_surname if head_sex == "M" else spouse_surname

        def children(parent_age: int, surname: str) -> None:
            oldest = min(25, parent_age - 22)
            for _ in range(1 if rng.random() < 0.68 else 2):
                specs.append((R.CHILD, rng.choice("MF"), rng.randint(0, oldest), surname))

        if kind == "elder_alone":
            sex = "F" if rng.random() < 0.68 else "M"
            specs.append((R.HEAD, sex, elder_age(65, 6), self.surname()))
        elif kind == "elder_couple":
            couple(elder_age(62, 4), "M" if rng.random() < 0.8 else "F")
        elif kind == "single":
            specs.append((R.HEAD, rng.choice("MF"), rng.randint(22, 55), self.surname()))
        elif kind == "couple":
            couple(rng.randint(25, 59), "M" if rng.random() < 0.75 else "F")
        elif kind == "nuclear":
            head_age = rng.randint(30, 55)
            head_sex = "M" if rng.random() < 0.75 else "F"
            if rng.random() < 0.9:
                family = couple(head_age, head_sex)
            else:  # a single parent
                family = self.surname()
                specs.append((R.HEAD, head_sex, head_age, family))
            children(head_age, family)
        elif kind == "three_generations":
            head_age = rng.randint(32, 55)
            head_sex = "M" if rng.random() < 0.8 else "F"
            family = couple(head_age, head_sex)
            head_surname = specs[0][3]
            grandparents = ["M", "F"] if rng.random() < 0.55 else [rng.choice("MF")]
            for sex in grandparents:
                age = min(99, head_age + rng.randint(22, 34))
                surname = head_surname if sex == "M" else self.surname()
                specs.append((R.PARENT, sex, age, surname))
            children(head_age, family)
        else:  # elder_with_child: an elderly head with an adult child, sometimes a grandchild
            head_age = elder_age(60, 8)
            head_sex = "M" if rng.random() < 0.6 else "F"
            if rng.random() < 0.5:
                family = couple(head_age, head_sex)
            else:  # widowed; a widow's child has the late husband's surname
                family = self.surname()
                own = family if head_sex == "M" else self.surname()
                specs.append((R.HEAD, head_sex, head_age, own))
            child_sex = rng.choice("MF")
            child_age = max(25, head_age - rng.randint(24, 35))
            specs.append((R.CHILD, child_sex, child_age, family))
            if rng.random() < 0.4 and child_age >= 24:
                grandchild_surname = family if child_sex == "M" else self.surname()
                specs.append(
                    (
                        R.GRANDCHILD,
                        rng.choice("MF"),
                        rng.randint(0, min(20, child_age - 22)),
                        grandchild_surname,
                    )
                )

        household = plan.households[household_index]
        ethnicity = self.pick(_ETHNICITIES)
        for relation, sex, age, surname in specs:
            birth = self.birth_for_age(age)
            real_age = age_on(birth, self.today)
            region = names.LOCAL_REGION if real_age < 18 and rng.random() < 0.85 else None
            region = region or self.pick(_REGIONS)
            person = PersonPlan(
                surname=surname,
                name=surname + self.given_name(sex, birth.year),
                sex=sex,
                birth_date=birth,
                age=real_age,
                id_number=self.id_number(birth, sex, region),
                relation=relation,
                household=household_index,
                ethnicity=ethnicity if rng.random() < 0.9 else "汉族",
                political=self.political(real_age),
                category=(
                    "户籍人口" if region == names.LOCAL_REGION or rng.random() < 0.7 else "流动人口"
                ),
            )
            if real_age >= 18 and (real_age < 85 or rng.random() < 0.7):
                person.phone = self.mobile()
            household.members.append(len(plan.people))
            plan.people.append(person)

    def plan_tags_and_care(self, plan: CommunityPlan) -> None:
        rng = self.rng
        for household in plan.households:
            low_income = rng.random() < 0.02
            alone = len(household.members) == 1
            for person_index in household.members:
                person = plan.people[person_index]
                age = person.age
                tags = person.tags
                if alone and age >= 60:
                    tags.append("living_alone")
                if age >= 80:
                    tags.append("advanced_age")
                if 12 <= age <= 18:
                    tags.append("youth")
                if low_income:
                    tags.append("low_income")
                ill = _by_age(age, [(18, 0.0), (60, 0.008), (80, 0.05)], 0.12)
                if rng.random() < ill:
                    tags.append("ill_disabled")
                    person.health = rng.choice(names.ILLNESSES)
                elif age < 18 and rng.random() < 0.006:
                    tags.append("disabled_child")
                    person.health = rng.choice(names.CHILD_DISABILITIES)
                elif age >= 60 and rng.random() < 0.25:
                    person.health = rng.choice(names.CHRONIC_CONDITIONS)
                if age >= CARE_AGE:
                    self.plan_contacts(plan, household, person_index)
                if person.is_care_eligible:
                    person.consents.append(Consent.Purpose.CARE)
                if person.health:
                    person.consents.append(Consent.Purpose.SENSITIVE)

    def plan_contacts(self, plan: CommunityPlan, household: HouseholdPlan, index: int) -> None:
        """One or two people to call: a younger adult of the household if any, else a child."""
        rng = self.rng
        person = plan.people[index]
        kin = [
            plan.people[i]
            for i in household.members
            if i != index and 25 <= plan.people[i].age <= 65 and plan.people[i].phone
        ]
        if kin:
            relative = kin[0]
            is_child = (person.relation in (R.HEAD, R.SPOUSE) and relative.relation == R.CHILD) or (
                person.relation == R.PARENT and relative.relation == R.HEAD
            )
            if is_child:
                relation = "儿子" if relative.sex == "M" else "女儿"
            elif person.relation == R.PARENT and relative.relation == R.SPOUSE:
                relation = "儿媳" if relative.sex == "F" else "女婿"
            else:
                relation = "家属"
            person.contacts.append((relative.name, relation, relative.phone))
        else:
            sex = rng.choice("MF")
            surname = person.surname if person.sex == "M" else self.surname()
            age = max(25, person.age - rng.randint(24, 34))
            person.contacts.append(
                (
                    self.full_name(sex, age, surname),
                    "儿子" if sex == "M" else "女儿",
                    self.mobile(),
                )
            )
        if rng.random() < 0.4:
            sex = rng.choice("MF")
            person.contacts.append(
                (
                    self.full_name(sex, rng.randint(30, 65)),
                    rng.choice(names.CONTACT_RELATIONS_OTHER),
                    self.mobile(),
                )
            )

    # -- organizations

    def plan_organizations(self, plan: CommunityPlan, short: str) -> None:
        rng = self.rng
        people = plan.people
        n_orgs = max(
            len(Category.values), min(FULL_ORGANIZATIONS, round(FULL_ORGANIZATIONS * self.scale))
        )
        per_category = _apportion(
            n_orgs, [len(names.ORGANIZATIONS[c]) for c in Category.values], minimum=1
        )
        chosen: list[tuple[str, str]] = []
        for category, count in zip(Category.values, per_category, strict=True):
            for template in names.ORGANIZATIONS[category][:count]:
                chosen.append((category, template.format(s=short)))

        leaders = self.pick_leaders(people, len(chosen))
        memberships_total = max(len(chosen), round(FULL_MEMBERSHIPS * self.scale))
        weights = [names.CATEGORY_SIZE[c] * rng.lognormvariate(0, 0.5) for c, _n in chosen]
        capacities = _apportion(memberships_total, weights, minimum=1)

        for (category, org_name), leader in zip(chosen, leaders, strict=True):
            stage_dates = self.stage_dates()
            plan.organizations.append(
                OrganizationPlan(
                    name=org_name,
                    category=category,
                    stage=stage_dates[-1][0],
                    description=names.CATEGORY_DESCRIPTIONS[category],
                    funds_note=rng.choice(names.FUNDS_NOTES),
                    stage_dates=stage_dates,
                    leader=leader,
                    members=[(leader, Membership.Role.LEADER, stage_dates[0][1])],
                )
            )

        # Distinct members; about one membership in eleven is someone's second.
        slots = [j for j, cap in enumerate(capacities) for _ in range(cap - 1)]
        rng.shuffle(slots)
        second = round(len(slots) * 0.09)
        leader_set = set(leaders)
        pool = [i for i, p in enumerate(people) if 14 <= p.age <= 88 and i not in leader_set]
        distinct = self.weighted_sample(
            pool, [self.member_weight(people[i]) for i in pool], len(slots) - second
        )
        in_org: dict[int, list[int]] = {}
        for member, org_index in zip(distinct, slots, strict=False):
            in_org[member] = [org_index]
        for org_index in slots[len(distinct) :] if distinct else ():
            for _attempt in range(20):
                member = rng.choice(distinct)
                if len(in_org[member]) == 1 and org_index not in in_org[member]:
                    in_org[member].append(org_index)
                    break
        for member in distinct:
            for org_index in in_org.get(member, []):
                org = plan.organizations[org_index]
                old_enough = years_before(self.today, max(0, people[member].age - 12))
                joined = self.date_between(max(org.founded_on, old_enough), self.today)
                org.members.append((member, Membership.Role.MEMBER, joined))
        for org in plan.organizations:
            org.members[1:] = self.with_roles(org.members[1:])

    @staticmethod
    def with_roles(members: list[tuple[int, str, dt.date]]) -> list[tuple[int, str, dt.date]]:
        """The earliest to join become deputies (one or two) and backbones (one in ten)."""
        members = sorted(members, key=lambda m: (m[2], m[0]))
        deputies = 2 if len(members) >= 40 else 1 if len(members) >= 6 else 0
        backbones = len(members) // 10
        roles = (
            [Membership.Role.DEPUTY] * deputies
            + [Membership.Role.BACKBONE] * backbones
            + [Membership.Role.MEMBER] * (len(members) - deputies - backbones)
        )
        return [(m, role, joined) for (m, _r, joined), role in zip(members, roles, strict=True)]

    @staticmethod
    def member_weight(person: PersonPlan) -> float:
        age = person.age
        weight = _by_age(age, [(18, 0.3), (35, 0.25), (50, 0.5), (60, 1.2), (76, 3.0)], 1.0)
        return weight * (2.5 if person.is_party_member else 1.0)

    def weighted_sample(self, items: list[int], weights: list[float], k: int) -> list[int]:
        """k distinct items, each drawn with probability proportional to its weight."""
        draws = [
            (self.rng.random() ** (1.0 / w), item) for item, w in zip(items, weights, strict=True)
        ]
        keyed = sorted(draws, reverse=True)
        return [item for _key, item in keyed[: max(0, k)]]

    def pick_leaders(self, people: list[PersonPlan], count: int) -> list[int]:
        """Distinct leaders, mostly retirees; about 70% of them party members."""
        candidates = [i for i, p in enumerate(people) if 45 <= p.age <= 78]
        party = [i for i in candidates if people[i].is_party_member]
        others = [i for i in candidates if not people[i].is_party_member]
        self.rng.shuffle(party)
        self.rng.shuffle(others)
        want_party = round(count * PARTY_SHARE_OF_LEADERS)
        chosen = party[:want_party] + others[: count - min(want_party, len(party))]
        if len(chosen) < count:  # a tiny community: take any adult
            taken = set(chosen)
            extra = [i for i, p in enumerate(people) if p.age >= 18 and i not in taken]
            chosen += extra[: count - len(chosen)]
        if len(chosen) < count:
            raise ValueError("too few residents for the organizations: raise the scale")
        self.rng.shuffle(chosen)
        return chosen

    def stage_dates(self) -> list[tuple[str, dt.date]]:
        target = self.pick(_STAGES)
        steps = [Stage.INCUBATING, Stage.FILED, Stage.REGISTERED, Stage.BRAND]
        steps = steps[: steps.index(target) + 1]
        gaps = [self.rng.randint(*STAGE_GAPS[s]) for s in steps[1:]]
        start = self.today - dt.timedelta(days=sum(gaps) + self.rng.randint(60, 3000))
        dates = [(Stage.INCUBATING, start)]
        for stage, gap in zip(steps[1:], gaps, strict=True):
            dates.append((stage, dates[-1][1] + dt.timedelta(days=gap)))
        return dates

    def plan_partners(self, plan: CommunityPlan, short: str) -> None:
        for template, kind, services in names.PARTNER_UNITS:
            sex = self.rng.choice("MF")
            plan.partners.append(
                PartnerPlan(
                    name=template.format(s=short, street=plan.street),
                    kind=kind,
                    services=services,
                    contact_name=self.full_name(sex, self.rng.randint(28, 55)),
                    contact_phone=self.mobile(),
                )
            )

    def plan_coordinators(self, plan: CommunityPlan) -> None:
        for number in range(1, COORDINATORS + 1):
            sex = self.rng.choice("MF")
            plan.coordinators.append(
                (
                    f"{plan.code}-coordinator-{number:02d}",
                    self.full_name(sex, self.rng.randint(24, 55)),
                )
            )


def invented_name(key: str, *, sex: str, age: int, today: dt.date) -> str:
    """A believable Chinese name for someone outside the registry (a community worker, a
    district officer): the same key always gives the same name."""
    planner = _Planner(index=0, scale=1.0, seed=DEFAULT_SEED, today=today)
    planner.rng = random.Random(f"kuihua-demo-name:{key}")
    return planner.full_name(sex, age)


def plan_community(
    *,
    index: int,
    scale: float = 1.0,
    seed: int = DEFAULT_SEED,
    today: dt.date | None = None,
) -> CommunityPlan:
    """The whole community as plain data: same arguments, same data. Touches no database."""
    return _Planner(index=index, scale=scale, seed=seed, today=today or timezone.localdate()).plan()
