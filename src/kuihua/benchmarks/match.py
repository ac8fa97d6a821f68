"""`kuihua bench match [--needs N] [--providers M] [--db sqlite|postgres]`.

A community with N open needs and M providers (defaults 10,000 and 2,000) on a
fresh database, shaped like a real one: compounds (one per ~500 needs, so a
larger instance is a larger place, not a denser one) of eight buildings each;
needs from residents at home, in eleven categories (meals and companionship
most asked), with urgency, asked days (weekdays, weekends, one day …) and parts
of the day, 80% with consent to share; providers of every type based in a
compound, serving it and up to two neighbouring ones (a few the whole
community), offering a main category and up to two more, 1–5 places a week, on
their own days and hours.

One child process seeds; another runs the whole match from the database back
to the database (`matching.runs.match_run`: read, solve, explain, write
every proposal and reason) and times it. On the same instance it then runs the
greedy one-request-at-a-time match and, up to 10,000 needs, an independent
exact method (SciPy: maximum flow, then a linear programme) as a check that no
better assignment exists. The last line is one JSON object.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable

DESCRIPTION = "optimal matching of N needs to M providers, database to database (sqlite|postgres)"
DEFAULT_NEEDS = 10_000
DEFAULT_PROVIDERS = 2_000
REFERENCE_UP_TO = 10_000
TIME_LIMIT = 1800


def run(
    *,
    scale: float = 1.0,
    say: Callable[[str], None] = print,
    db: str = "sqlite",
    needs: int | None = None,
    providers: int | None = None,
) -> dict:
    from kuihua.benchmarks.signup_rush import _database

    n = max(10, needs or round(DEFAULT_NEEDS * scale))
    m = max(2, providers or round(DEFAULT_PROVIDERS * scale))
    with (
        tempfile.TemporaryDirectory(prefix="kuihua-bench-match-") as home,
        _database(db, home) as url,
    ):
        env = {
            **os.environ,
            "KUIHUA_HOME": home,
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "kuihua.config.settings.local",
        }
        say(f"{db}: seeding {n} open needs and {m} providers …")
        _child(env, "seed", str(n), str(m))
        say("matching (database → solver → database) …")
        figures = json.loads(_child(env, "match").strip().splitlines()[-1])
    figures = {"benchmark": "match", "db": db, **figures}
    say(
        f"matched {figures['matched']} of {n} (greedy {figures['greedy_matched']}), "
        f"cost {figures['total_cost']} (greedy {figures['greedy_cost']}), "
        f"{figures['seconds_total']} s in all, {figures['seconds_solver']} s solving"
    )
    return figures


def _child(env: dict, *args: str) -> str:
    done = subprocess.run(  # noqa: S603 - our own module, no shell
        [sys.executable, "-m", "kuihua.benchmarks.match", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench match {args[0]} failed:\n{done.stderr[-3000:]}")
    return done.stdout


# --- in the children -------------------------------------------------------------------


def _seed(n: int, m: int) -> None:
    import datetime as dt

    import django
    import numpy as np

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from kuihua.accounts.models import Role, User
    from kuihua.core.tenancy import use_community
    from kuihua.matching.models import (
        WEEKDAYS,
        Need,
        ProviderType,
        ServiceCategory,
        ServiceOffer,
    )
    from kuihua.organizations.models import Branch, Category, Organization, PartnerUnit
    from kuihua.registry.models import Building, Compound, Household, Resident
    from kuihua.tenants import community_create

    call_command("migrate", interactive=False, verbosity=0)
    rng = np.random.default_rng(2026)
    community = community_create(name="精准对接测试社区", code="bench-match")
    User.objects.create(username="bench", role=Role.COORDINATOR, community=community)
    day_patterns = np.array([WEEKDAYS, 0b1100000, 0b1111111, 1, 2, 4, 8, 16, 0b0010101, 0b0101010])
    with use_community(community), transaction.atomic():
        n_compounds = max(3, n // 500)
        compounds = Compound.objects.bulk_create(
            Compound(community=community, name=f"翠苑{i + 1}区") for i in range(n_compounds)
        )
        buildings = Building.objects.bulk_create(
            Building(community=community, compound=c, name=f"{b + 1}幢")
            for c in compounds
            for b in range(8)
        )
        categories = list(ServiceCategory.objects.order_by("id"))
        # Meals and companionship are asked most; legal aid and tutoring least.
        weights = np.array([6, 2, 3, 2, 3, 2, 5, 1, 1, 0.5, 0.5])[: len(categories)]
        weights = weights / weights.sum()

        need_buildings = rng.integers(0, len(buildings), n)
        households = Household.objects.bulk_create(
            Household(community=community, building=buildings[b], room=str(i))
            for i, b in enumerate(need_buildings)
        )
        residents = Resident.objects.bulk_create(
            Resident(
                community=community,
                name=f"居民{i}",
                name_pinyin=f"jumin{i}",
                name_initials="jm",
                household=h,
            )
            for i, h in enumerate(households)
        )
        need_categories = rng.choice(len(categories), n, p=weights)
        Need.objects.bulk_create(
            (
                Need(
                    community=community,
                    resident=r,
                    category=categories[need_categories[i]],
                    urgency=int(rng.choice([1, 2, 3, 4], p=[0.2, 0.5, 0.2, 0.1])),
                    days=int(rng.choice(day_patterns)),
                    slots=int(rng.integers(1, 8)),
                    building=buildings[need_buildings[i]],
                    compound_id=buildings[need_buildings[i]].compound_id,
                    consent_to_share=bool(rng.random() < 0.8),
                    channel=Need.Channel.RESIDENT,
                )
                for i, r in enumerate(residents)
            ),
            batch_size=5000,
        )
        # Raised over the last 60 days.
        ids = np.array(Need.objects.order_by("id").values_list("id", flat=True))
        now = timezone.now()
        for age, chunk in enumerate(np.array_split(ids, 60)):
            Need.objects.filter(pk__in=chunk.tolist()).update(
                created_at=now - dt.timedelta(days=age)
            )

        welfare = Branch.objects.get(category=Category.WELFARE)
        kinds = rng.choice(
            list(ProviderType.values), m, p=[0.3, 0.5, 0.05, 0.1, 0.05]
        )  # organization, volunteer, government, enterprise, institution
        homes = rng.integers(0, len(buildings), m)
        volunteers = Resident.objects.bulk_create(
            Resident(
                community=community,
                name=f"志愿者{j}",
                name_pinyin=f"zhiyuanzhe{j}",
                name_initials="zyz",
            )
            for j in range(m)
        )
        organizations = Organization.objects.bulk_create(
            Organization(
                community=community, name=f"服务队{j}", category=Category.WELFARE, branch=welfare
            )
            for j in range(m)
            if kinds[j] == ProviderType.ORGANIZATION
        )
        partners = PartnerUnit.objects.bulk_create(
            PartnerUnit(community=community, name=f"共建单位{j}", kind=str(kinds[j]))
            for j in range(m)
            if kinds[j] in ("government", "enterprise", "institution")
        )
        organizations, partners = iter(organizations), iter(partners)
        offers = []
        for j in range(m):
            kind = str(kinds[j])
            building = buildings[homes[j]]
            offers.append(
                ServiceOffer(
                    community=community,
                    provider_type=kind,
                    organization=next(organizations) if kind == "organization" else None,
                    volunteer=volunteers[j] if kind == "volunteer" else None,
                    partner=next(partners)
                    if kind in ("government", "enterprise", "institution")
                    else None,
                    name=f"服务{j}",
                    main_category=categories[int(rng.choice(len(categories), p=weights))],
                    capacity_per_week=int(rng.integers(1, 6)),
                    serves_all=bool(rng.random() < 0.03),
                    base_building=building,
                    base_compound_id=building.compound_id,
                    days=int(rng.choice(day_patterns)),
                    slots=int(rng.integers(1, 8)),
                )
            )
        offers = ServiceOffer.objects.bulk_create(offers, batch_size=5000)
        by_compound = {c.pk: i for i, c in enumerate(compounds)}
        offered, served = [], []
        for offer in offers:
            extra = rng.choice(len(categories), int(rng.integers(0, 3)), p=weights)
            for c in {offer.main_category_id, *(categories[k].pk for k in extra)}:
                offered.append(
                    ServiceOffer.categories.through(serviceoffer_id=offer.pk, servicecategory_id=c)
                )
            home = by_compound[offer.base_compound_id]
            for k in {home, *(home + d for d in rng.integers(-1, 2, int(rng.integers(0, 3))))}:
                if 0 <= k < len(compounds):
                    served.append(
                        ServiceOffer.compounds.through(
                            serviceoffer_id=offer.pk, compound_id=compounds[k].pk
                        )
                    )
        ServiceOffer.categories.through.objects.bulk_create(offered, batch_size=5000)
        ServiceOffer.compounds.through.objects.bulk_create(served, batch_size=5000)


def _match() -> dict:
    import resource

    import django

    django.setup()
    from kuihua.accounts.models import User
    from kuihua.core.models import Community
    from kuihua.core.tenancy import use_community
    from kuihua.matching import runs, solver

    community = Community.objects.get(code="bench-match")
    actor = User.objects.get(username="bench")
    with use_community(community):
        run = runs.match_run(actor=actor)
        # The same instance again (proposals hold no capacity) for the comparisons.
        _need_ids, _offer_ids, needs, providers = runs.load_problem()
    weights = solver.Weights()
    arcs = solver.feasible_arcs(needs, providers, weights)
    greedy = solver.greedy(needs, providers, weights)
    figures = {
        "needs": run.needs,
        "providers": run.providers,
        "arcs": len(arcs),
        "matched": run.matched,
        "total_cost": run.total_cost,
        "seconds_total": round(run.seconds_total, 3),
        "seconds_solver": round(run.seconds_solver, 3),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        "greedy_matched": int((greedy >= 0).sum()),
        "greedy_cost": solver.assignment_cost(greedy, arcs, providers, weights),
    }
    if len(needs) <= REFERENCE_UP_TO:
        matched, cost = solver.reference(needs, providers, weights)
        figures |= {
            "reference_matched": matched,
            "reference_cost": cost,
            "optimal": bool(matched == run.matched and cost == run.total_cost),
        }
    figures["greedy_cost_over_optimal"] = (
        round(figures["greedy_cost"] / run.total_cost - 1, 3) if run.total_cost else None
    )
    return figures


if __name__ == "__main__":
    if sys.argv[1] == "seed":
        _seed(int(sys.argv[2]), int(sys.argv[3]))
    else:
        print(json.dumps(_match()))
