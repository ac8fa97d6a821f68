import pathlib
import shutil
import subprocess
import sys

import pytest
from django.db import connection

from kuihua.core.tenancy import (
    ScopeError,
    across_communities,
    community_of,
    for_each_community,
    sweep_every_community,
    use_community,
)
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


# --- the one door across communities -----------------------------------------------------

SRC = pathlib.Path(__file__).resolve().parents[2]  # src/kuihua


@pytest.mark.django_db
def test_each_community_is_in_force_in_turn_and_only_then(community, other_community):
    mine = ResidentFactory(household__building__compound__community=community)
    theirs = ResidentFactory(household__building__compound__community=other_community)

    seen = {
        cid: list(Resident.objects.values_list("pk", flat=True)) for cid in for_each_community()
    }

    assert seen == {community.pk: [mine.pk], other_community.pk: [theirs.pk]}
    with pytest.raises(ScopeError):  # nothing left in force afterwards
        Resident.objects.count()


@pytest.mark.django_db
def test_a_row_found_by_its_key_names_its_community_and_nothing_else(community, other_community):
    theirs = ResidentFactory(household__building__compound__community=other_community)

    assert community_of(Resident, pk=theirs.pk) == other_community.pk
    assert community_of(Resident, pk=theirs.pk + 1000) is None
    with pytest.raises(ScopeError):
        Resident.objects.count()


@pytest.mark.django_db
def test_a_sweep_reads_every_communitys_due_rows_in_one_query(community, other_community):
    for place in (community, other_community):
        ResidentFactory(household__building__compound__community=place)

    with sweep_every_community():
        rows = set(Resident.objects.values_list("community_id", flat=True))

    assert rows == {community.pk, other_community.pk}


def _ruff_codes(source: str, path: str) -> set[str]:
    ruff = shutil.which("ruff", path=str(pathlib.Path(sys.executable).parent)) or "ruff"
    done = subprocess.run(  # noqa: S603
        [ruff, "check", "--output-format", "concise", "--stdin-filename", path, "-"],
        input=source,
        capture_output=True,
        text=True,
        cwd=SRC.parents[1],
        check=False,
    )
    return {word for word in done.stdout.split() if word.startswith("TID")}


BYPASSES = [
    "from django_scopes import scopes_disabled\n",
    "from django_scopes.state import state\n",
    "from kuihua.core.tenancy import unscoped\n",
]


@pytest.mark.parametrize("bypass", BYPASSES)
def test_ruff_refuses_a_scoping_bypass_outside_the_tenancy_module(bypass):
    assert "TID251" in _ruff_codes(bypass, "src/kuihua/activities/bypass.py")
    assert "TID251" not in _ruff_codes(bypass, "src/kuihua/core/tenancy.py")


def test_no_product_module_reads_around_the_scoped_managers():
    """What ruff cannot see (attributes, not imports): `_base_manager`, `with_scopes_disabled`."""
    found = []
    for path in SRC.rglob("*.py"):
        if {"tests", "migrations"} & set(path.parts) or path.name == "tenancy.py":
            continue
        text = path.read_text(encoding="utf-8")
        found += [
            f"{path.relative_to(SRC)}: {word}"
            for word in ("_base_manager", "with_scopes_disabled", "scopes_disabled")
            if word in text
        ]
    assert found == []
