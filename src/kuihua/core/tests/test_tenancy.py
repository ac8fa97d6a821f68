import pytest
from django.db import connection

from kuihua.core.tenancy import ScopeError, across_communities, use_community
from kuihua.registry.models import Resident
from kuihua.registry.tests.factories import ResidentFactory


@pytest.mark.django_db
def test_a_query_with_no_community_in_force_raises_instead_of_returning_everything(community):
    ResidentFactory(household__building__compound__community=community)

    with pytest.raises(ScopeError):
        list(Resident.objects.all())
    with pytest.raises(ScopeError):
        Resident.objects.filter(name="张三").count()


@pytest.mark.django_db
def test_a_community_sees_only_its_own_rows(community, other_community):
    mine = ResidentFactory(household__building__compound__community=community)
    theirs = ResidentFactory(household__building__compound__community=other_community)

    with use_community(community):
        assert list(Resident.objects.values_list("pk", flat=True)) == [mine.pk]
    with use_community(other_community):
        assert list(Resident.objects.values_list("pk", flat=True)) == [theirs.pk]
    with across_communities([community, other_community]):
        assert Resident.objects.count() == 2


@pytest.mark.django_db
def test_an_empty_set_of_communities_shows_nothing(community):
    ResidentFactory(household__building__compound__community=community)

    with across_communities([]):
        assert Resident.objects.count() == 0


@pytest.mark.django_db
def test_id_numbers_and_phones_are_not_readable_in_the_table(community):
    resident = ResidentFactory(household__building__compound__community=community)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, phone, id_number_index FROM registry_resident WHERE id = %s",
            [resident.pk],
        )
        raw_id, raw_phone, index = cursor.fetchone()

    assert resident.id_number not in raw_id
    assert resident.phone not in raw_phone
    assert resident.id_number not in index
    with use_community(community):
        assert Resident.objects.get(pk=resident.pk).id_number == resident.id_number
