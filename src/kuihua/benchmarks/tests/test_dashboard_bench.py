"""`kuihua bench dashboard` at a tiny scale, on the configured (here: the test) database:
it seeds the communities it lacks, reuses them the next time, times both dashboards
cold and warm and reports one JSON line."""

import io
import json

import pytest
from django.core.management import call_command

from kuihua.accounts.models import Role, User
from kuihua.demo.plan import community_identity
from kuihua.tenants import community_create

pytestmark = pytest.mark.django_db

KEYS = {
    "benchmark",
    "db",
    "pages",
    "communities",
    "residents",
    "reused",
    "seeded",
    "seed_seconds",
    "community_cold_ms",
    "community_warm_ms",
    "district_cold_ms",
    "district_warm_ms",
    "community_cold_cpu_ms",
    "district_warm_cpu_ms",
    "community_cold_queries",
    "community_warm_queries",
    "district_cold_queries",
    "district_warm_queries",
    "ratio_cold",
    "ratio_warm",
    "goal_warm_under_300_ms",
    "goal_district_within_3x",
}


def _bench(**options) -> tuple[dict, list[str]]:
    out = io.StringIO()
    call_command("bench", "dashboard", stdout=out, **options)
    lines = out.getvalue().strip().splitlines()
    return json.loads(lines[-1]), lines


def test_the_dashboard_bench_seeds_what_is_missing_then_reuses_it(monkeypatch):
    # when the bench runs on a database without demo communities
    figures, lines = _bench(communities=1, scale=0.01)

    # then it seeded it, and reports every figure
    assert set(figures) >= KEYS
    assert figures["benchmark"] == "dashboard" and figures["db"] in {"sqlite", "postgresql"}
    assert figures["pages"] is True  # through the real pages, not dashboard_for() alone
    assert figures["communities"] == 1 and figures["seeded"] == 1 and figures["reused"] == 0
    assert figures["residents"] > 0 and figures["seed_seconds"] > 0
    for name in ("community_cold", "community_warm", "district_cold", "district_warm"):
        assert 0 < figures[f"{name}_ms"] < 60_000
        assert figures[f"{name}_queries"] >= 0
    # cold computes from the rows; warm reads the cache
    assert figures["community_cold_queries"] > figures["community_warm_queries"]
    assert figures["district_cold_queries"] > figures["district_warm_queries"]
    assert figures["ratio_cold"] > 0 and figures["ratio_warm"] > 0
    assert isinstance(figures["goal_warm_under_300_ms"], bool)
    assert any("seeded 1 of 1 communities" in line for line in lines)
    viewer = User.objects.get(username="bench-dashboard-viewer")
    assert viewer.role == Role.DISTRICT_VIEWER and viewer.viewable_communities.count() == 1

    # when it runs again for a district of two (the second community written bare:
    # generating a whole one is what the first run already showed)
    generated = []

    def generate_bare(*, index, scale):
        generated.append(index)
        name, code, _short, _street = community_identity(index)
        return community_create(name=name, code=code)

    monkeypatch.setattr("kuihua.demo.write.generate_community", generate_bare)
    again, _lines = _bench(communities=2, scale=0.01)

    # then it reuses the first and generates only the second
    assert generated == [2]
    assert again["reused"] == 1 and again["seeded"] == 1 and again["communities"] == 2
    assert again["residents"] == figures["residents"]
    assert User.objects.get(username="bench-dashboard-viewer").viewable_communities.count() == 2
