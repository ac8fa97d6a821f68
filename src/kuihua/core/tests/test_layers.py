"""The floors are written down in pyproject.toml and checked by import-linter (scripts/test);
these tests keep the contract honest: no exception for product code creeps in."""

import pathlib
import tomllib

ROOT = pathlib.Path(__file__).resolve().parents[4]


def _contracts() -> list[dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return config["tool"]["importlinter"]["contracts"]


def test_the_only_exception_to_the_floors_is_that_tests_may_use_any_floor():
    floors = next(c for c in _contracts() if c["type"] == "layers")

    assert floors["ignore_imports"] == ["kuihua.*.tests.** -> kuihua.**"]
    assert floors["layers"][-1] == "core" and floors["layers"][0] == "cli"


def test_every_app_is_on_a_floor():
    floors = set(next(c for c in _contracts() if c["type"] == "layers")["layers"])
    packages = {
        p.name
        for p in (ROOT / "src" / "kuihua").iterdir()
        if (p / "__init__.py").exists() or (p.suffix == ".py" and p.stem != "__init__")
    }
    packages = {p.removesuffix(".py") for p in packages} - {"locale"}

    assert packages - floors == set()


def test_no_circle_contract_makes_exceptions():
    circles = next(c for c in _contracts() if c["type"] == "acyclic_siblings")

    assert "ignore_imports" not in circles
