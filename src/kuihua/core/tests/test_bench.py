"""`kuihua bench`: the registry of benchmarks and the one-JSON-line contract."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from kuihua import benchmarks


def test_without_a_name_bench_lists_every_benchmark():
    out = io.StringIO()

    call_command("bench", stdout=out)

    listed = [line.split()[0] for line in out.getvalue().splitlines()]
    assert listed == list(benchmarks.BENCHMARKS)
    assert {"seed", "sqlite-writers"} <= set(listed)


def test_an_unknown_benchmark_is_refused_with_the_list():
    with pytest.raises(CommandError, match="sqlite-writers"):
        call_command("bench", "nonsense", stdout=io.StringIO())


def test_sqlite_writers_tuned_loses_no_sign_up_and_reports_one_json_line(django_db_blocker):
    out = io.StringIO()

    # the benchmark opens its own temporary databases, not the test database
    with django_db_blocker.unblock():
        call_command("bench", "sqlite-writers", scale=0.1, stdout=out)

    lines = out.getvalue().strip().splitlines()
    assert len(lines) > 1
    figures = json.loads(lines[-1])
    assert figures["writes"] == 200
    assert figures["errors_tuned"] == 0
    assert figures["signed_up_tuned"] == 200
    assert figures["places_free_tuned"] == 0
    assert figures["consistent_default"] and figures["consistent_tuned"]
    assert figures["errors_default"] == figures["places_free_default"]


def test_seed_benchmark_runs_on_its_own_fresh_database_and_prints_only_json():
    out = io.StringIO()

    call_command("bench", "seed", scale=0.01, json_only=True, stdout=out)

    (line,) = out.getvalue().strip().splitlines()
    figures = json.loads(line)
    assert figures["benchmark"] == "seed"
    assert figures["residents"] > 100
    assert figures["organizations"] >= 5
    assert figures["residents_per_second"] > 0


def test_match_benchmark_finds_the_optimum_the_linear_programme_confirms():
    out = io.StringIO()

    call_command("bench", "match", needs=300, providers=60, json_only=True, stdout=out)

    figures = json.loads(out.getvalue().strip().splitlines()[-1])
    assert figures["needs"] == 300
    assert figures["optimal"] is True
    assert figures["matched"] == figures["reference_matched"] >= figures["greedy_matched"]
    assert figures["seconds_total"] >= figures["seconds_solver"] >= 0
