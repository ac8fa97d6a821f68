"""factory_boy factories for the registry. Residents get real, valid ID numbers."""

from __future__ import annotations

import datetime as dt

import factory

from kuihua.core.identity import id_check_digit
from kuihua.core.models import Community
from kuihua.registry.models import Building, Compound, Household, Resident, Tag


def make_id_number(birth: dt.date, seq: int, *, male: bool = True, region: str = "330106") -> str:
    """A checksum-valid 18-digit ID for `birth`; the 17th digit is odd for men."""
    order = (seq % 499) * 2 + (1 if male else 0)
    first17 = f"{region}{birth:%Y%m%d}{order:03d}"
    return first17 + id_check_digit(first17)


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    name = factory.Sequence(lambda n: f"测试社区{n}")
    code = factory.Sequence(lambda n: f"test-{n}")
    street = "翠苑街道"
    district = "西湖区"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from kuihua.tenants import community_create

        return community_create(**kwargs)


class CompoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Compound

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"翠苑{n}区")
    has_property_company = True


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    compound = factory.SubFactory(CompoundFactory)
    community = factory.SelfAttribute("compound.community")
    name = factory.Sequence(lambda n: f"{n + 1}幢")


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    building = factory.SubFactory(BuildingFactory)
    community = factory.SelfAttribute("building.community")
    unit = "1"
    room = factory.Sequence(lambda n: f"{101 + n}")


_NUMERALS = str.maketrans("0123456789", "〇一二三四五六七八九")


class ResidentFactory(factory.django.DjangoModelFactory):
    """A resident with a valid ID number; indexes and pinyin computed like the service does."""

    class Meta:
        model = Resident

    household = factory.SubFactory(HouseholdFactory)
    community = factory.SelfAttribute("household.community")
    # Unique and digit-free (a name with digits is refused): 李一一二 for n = 12.
    name = factory.Sequence(lambda n: "张三" if n == 0 else "李" + str(n).translate(_NUMERALS))
    birth_date = dt.date(1950, 3, 12)
    id_number = factory.LazyAttributeSequence(lambda o, n: make_id_number(o.birth_date, n))
    phone = factory.Sequence(lambda n: f"138{n:08d}")
    relation_to_head = Resident.Relation.HEAD

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from kuihua.registry.services import resident_build

        tags = kwargs.pop("tags", None)
        resident = resident_build(**kwargs)
        resident.save()
        if tags:
            resident.tags.set(tags)
        return resident


def tag(community: Community, code: str) -> Tag:
    return Tag.objects.with_scopes_disabled().get(community=community, code=code)
