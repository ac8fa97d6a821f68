"""The data generator, `kuihua seed` and `kuihua demo`."""

import collections
import datetime as dt
import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Q

from kuihua.accounts.models import Role, User
from kuihua.core.identity import (
    age_on,
    birth_from_id,
    is_mobile,
    normalize_id_number,
    sex_from_id,
)
from kuihua.core.models import Community
from kuihua.core.tenancy import CommunityOwned, unscoped, use_community
from kuihua.demo.logins import demo_accounts_ensure
from kuihua.demo.plan import DEMO_PASSWORD, plan_community
from kuihua.demo.write import generate_community
from kuihua.organizations.models import STAGE_ORDER, Category, Membership, Organization
from kuihua.registry.models import EmergencyContact, Household, Resident

TODAY = dt.date(2026, 5, 10)


def _plan_digest(index: int = 1, scale: float = 0.05) -> str:
    plan = plan_community(index=index, scale=scale, today=TODAY)
    return hashlib.sha256(repr(plan).encode()).hexdigest()


def _snapshot(community: Community) -> tuple:
    with use_community(community):
        residents = Resident.objects.order_by("id")
        return (
            [
                (r.name, r.sex, r.birth_date, r.id_number, r.phone, r.relation_to_head)
                for r in residents
            ],
            list(Household.objects.order_by("id").values_list("building__name", "unit", "room")),
            list(Organization.objects.order_by("id").values_list("name", "stage", "leader__name")),
            list(
                Membership.objects.order_by("id").values_list(
                    "organization__name", "resident__name", "role"
                )
            ),
        )


# -- the generator ---------------------------------------------------------------


def test_the_plan_is_the_same_for_the_same_arguments_and_differs_for_another_seed():
    first = plan_community(index=1, scale=0.02, today=TODAY)
    again = plan_community(index=1, scale=0.02, today=TODAY)
    other_seed = plan_community(index=1, scale=0.02, seed=7, today=TODAY)
    other_index = plan_community(index=2, scale=0.02, today=TODAY)

    assert first == again
    assert [p.name for p in first.people] != [p.name for p in other_seed.people]
    assert other_index.code == "demo-2"
    assert other_index.name != first.name


def test_the_plan_does_not_depend_on_the_process_hash_seed():
    # given another interpreter with a different string-hash seed
    script = (
        "import django; django.setup();"
        "from kuihua.core.tests.test_seed import _plan_digest; print(_plan_digest())"
    )
    env = {
        **os.environ,
        "PYTHONHASHSEED": "12345",
        "DJANGO_SETTINGS_MODULE": "kuihua.config.settings.test",
    }
    # when it plans the same community
    child = subprocess.run(  # noqa: S603
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    # then the data is the same
    assert child.stdout.strip().splitlines()[-1] == _plan_digest()


@pytest.mark.django_db
def test_two_runs_write_the_same_names_and_id_numbers():
    with transaction.atomic():
        first = _snapshot(generate_community(index=1, scale=0.02, today=TODAY))
        transaction.set_rollback(True)

    second = _snapshot(generate_community(index=1, scale=0.02, today=TODAY))

    assert first == second
    assert len(first[0]) > 200


def test_at_full_scale_the_plan_has_the_model_communitys_figures():
    plan = plan_community(index=1, scale=1.0, today=TODAY)
    people = plan.people
    organizations = plan.organizations

    assert len(plan.compounds) == 14
    assert sum(not c.has_property_company for c in plan.compounds) == 8
    assert len(plan.households) == 5_500
    assert 14_000 <= len(people) <= 16_000
    assert 0.07 <= sum(p.is_party_member for p in people) / len(people) <= 0.09
    assert sum(p.is_care_eligible for p in people) >= 100

    assert len(organizations) == 54
    assert {o.category for o in organizations} == set(Category.values)
    assert len({o.name for o in organizations}) == 54
    memberships = [m for o in organizations for m, _role, _on in o.members]
    assert 1_950 <= len(memberships) <= 2_000
    per_person = collections.Counter(memberships)
    assert max(per_person.values()) == 2
    assert sum(n == 2 for n in per_person.values()) >= 100
    leaders_in_party = sum(people[o.leader].is_party_member for o in organizations)
    assert 0.65 <= leaders_in_party / len(organizations) <= 0.75
    assert len({o.stage for o in organizations}) == len(STAGE_ORDER)

    assert len(plan.partners) == 10
    assert len(plan.coordinators) == 10


@pytest.mark.django_db
def test_the_written_data_keeps_the_registry_rules():
    community = generate_community(index=1, scale=0.05, today=TODAY)

    with use_community(community):
        residents = list(Resident.objects.prefetch_related("tags").select_related("household"))
        household_sizes = dict(
            Household.objects.annotate(n=Count("members")).values_list("id", "n")
        )
        heads = Household.objects.annotate(
            heads=Count("members", filter=Q(members__relation_to_head=Resident.Relation.HEAD))
        ).values_list("heads", flat=True)
        with_contacts = set(EmergencyContact.objects.values_list("resident_id", flat=True))
        organizations = list(Organization.objects.prefetch_related("stage_changes"))
        leader_roles = dict(
            Membership.objects.filter(role=Membership.Role.LEADER).values_list(
                "organization_id", "resident_id"
            )
        )
        joined = list(
            Membership.objects.values_list(
                "joined_on", "organization__founded_on", "resident__birth_date"
            )
        )

    # then every ID number is valid and agrees with birth date and sex
    assert len(residents) > 500
    for r in residents:
        assert normalize_id_number(r.id_number) == r.id_number
        assert birth_from_id(r.id_number) == r.birth_date
        assert sex_from_id(r.id_number) == r.sex
    # adults have a mobile number, unique; children have none
    phones = [r.phone for r in residents if r.phone]
    assert len(phones) == len(set(phones))
    assert all(is_mobile(p) for p in phones)
    assert all(age_on(r.birth_date, TODAY) >= 18 for r in residents if r.phone)
    assert sum(bool(r.phone) for r in residents) > 0.6 * len(residents)
    # one head a household
    assert set(heads) == {1}
    # tags follow from age and household
    for r in residents:
        age = age_on(r.birth_date, TODAY)
        codes = {t.code for t in r.tags.all()}
        assert ("advanced_age" in codes) == (age >= 80)
        assert ("youth" in codes) == (12 <= age <= 18)
        assert ("living_alone" in codes) == (age >= 60 and household_sizes[r.household_id] == 1)
        if age >= 70:
            assert r.pk in with_contacts
    assert any("ill_disabled" in {t.code for t in r.tags.all()} for r in residents)
    # organizations have a leader who is a member with the leader role, and a dated history
    for org in organizations:
        assert leader_roles[org.pk] == org.leader_id
        changes = list(org.stage_changes.all())
        assert [c.to_stage for c in changes] == STAGE_ORDER[: STAGE_ORDER.index(org.stage) + 1]
        assert [c.on for c in changes] == sorted(c.on for c in changes)
        assert org.founded_on == changes[0].on
    # nobody joined before the organization was founded, or as a small child
    for joined_on, founded_on, birth_date in joined:
        assert founded_on <= joined_on <= TODAY
        assert age_on(birth_date, joined_on) >= 12


# -- kuihua seed -------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_ten_communities_keeps_every_row_in_its_own_community():
    out = io.StringIO()
    call_command("seed", communities=10, scale=0.01, stdout=out)

    communities = list(Community.objects.order_by("id"))
    assert [c.code for c in communities] == [f"demo-{i}" for i in range(1, 11)]
    assert len({c.name for c in communities}) == 10
    assert out.getvalue().count("demo-") == 10

    owned = [m for m in apps.get_models() if issubclass(m, CommunityOwned)]
    assert Resident in owned and Membership in owned
    for model in owned:
        with unscoped():
            total = model.objects.count()
        seen = 0
        for community in communities:
            with use_community(community):
                ids = set(model.objects.values_list("community_id", flat=True).distinct())
                assert ids <= {community.pk}, model
                seen += model.objects.count()
        assert seen == total, model
    for community in communities:
        with use_community(community):
            assert Resident.objects.count() > 100
            assert Organization.objects.count() >= 5

    # and no row points at another community's row
    with unscoped():
        for model in owned:
            for field in model._meta.concrete_fields:
                target = field.related_model
                if field.many_to_one and target and issubclass(target, CommunityOwned):
                    crossing = model.objects.filter(**{f"{field.name}__isnull": False}).exclude(
                        **{f"{field.name}__community": F("community")}
                    )
                    assert not crossing.exists(), (model, field.name)
        tags = Resident.tags.through.objects.exclude(tag__community=F("resident__community"))
        assert not tags.exists()
        staff = User.objects.filter(role=Role.COORDINATOR)
        assert staff.count() == 100
        assert set(staff.values_list("community__code", flat=True)) == {c.code for c in communities}


# `--reset` flushes (TRUNCATE on PostgreSQL), which cannot run inside the test's
# transaction while deferred foreign-key checks are pending.
@pytest.mark.django_db(transaction=True)
def test_seed_refuses_codes_that_exist_and_starts_over_with_reset():
    call_command("seed", communities=1, scale=0.01, stdout=io.StringIO())

    with pytest.raises(CommandError, match="demo-1"):
        call_command("seed", communities=2, scale=0.01, stdout=io.StringIO())
    assert Community.objects.count() == 1

    call_command("seed", communities=2, scale=0.01, reset=True, stdout=io.StringIO())
    assert list(Community.objects.values_list("code", flat=True)) == ["demo-1", "demo-2"]


# -- demo logins -------------------------------------------------------------------


@pytest.mark.django_db
def test_every_demo_login_signs_in_and_is_linked_to_a_fitting_resident(client):
    community = generate_community(index=1, scale=0.02, today=TODAY)
    other = generate_community(index=2, scale=0.01, today=TODAY)

    logins = demo_accounts_ensure(community=community)

    assert sorted(login.role for login in logins) == sorted(Role.values)
    for login in logins:
        response = client.post(
            "/accounts/login/", {"username": login.username, "password": login.password}
        )
        assert response.status_code == 302, login.username
        assert client.get("/").status_code == 200, login.username
        client.logout()

    users = {u.role: u for u in User.objects.filter(username__in=Role.values)}
    with use_community(community):
        leader = users[Role.ORG_LEADER].resident
        assert Organization.objects.filter(leader=leader).exists()
        volunteer = users[Role.VOLUNTEER].resident
        assert Membership.objects.filter(resident=volunteer).exists()
        home = users[Role.RESIDENT].resident.household
        assert Resident.objects.filter(household=home).count() >= 3
        steward_home = users[Role.STEWARD].resident.household
        assert not steward_home.building.compound.has_property_company
    for role, user in users.items():
        if role == Role.DISTRICT_VIEWER:
            assert user.community is None
            assert set(user.viewable_communities.all()) == {community, other}
        else:
            assert user.community == community
            assert user.resident is None or user.resident.community_id == community.pk


@pytest.mark.django_db
def test_demo_accounts_can_be_reset_and_keep_one_account_per_role():
    community = generate_community(index=1, scale=0.02, today=TODAY)
    demo_accounts_ensure(community=community, password="first-password")

    demo_accounts_ensure(community=community)

    assert User.objects.filter(username__in=Role.values).count() == len(Role.values)
    assert User.objects.get(username="coordinator").check_password(DEMO_PASSWORD)


# -- kuihua demo -------------------------------------------------------------------


@pytest.mark.django_db
def test_demo_reuses_the_community_it_finds(community):
    out = io.StringIO()

    call_command("demo", no_serve=True, stdout=out)

    assert Community.objects.count() == 1
    assert community.name in out.getvalue()
    assert "coordinator" in out.getvalue()


def test_demo_on_an_empty_database_migrates_seeds_and_prints_the_logins(tmp_path: Path):
    env = {
        **os.environ,
        "KUIHUA_HOME": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "kuihua.config.settings.local",
    }
    env.pop("DATABASE_URL", None)

    result = subprocess.run(
        [sys.executable, "-m", "kuihua.cli", "demo", "--no-serve", "--scale", "0.02"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )

    out = result.stdout
    assert (tmp_path / "kuihua.sqlite3").exists()
    assert "http://127.0.0.1:8000/" in out
    for role in Role.values:
        assert role in out
    assert DEMO_PASSWORD in out
    # no personal data in the output: the linked residents are not named
    check = (
        "import django, json; django.setup();"
        "from kuihua.accounts.models import User;"
        "print(json.dumps([u.resident.name for u in User.objects.exclude(resident=None)]))"
    )
    names = subprocess.run(  # noqa: S603
        [sys.executable, "-c", check], env=env, capture_output=True, text=True, check=True
    )
    linked = json.loads(names.stdout.strip().splitlines()[-1])
    assert len(linked) == 4
    assert not any(name in out for name in linked)
