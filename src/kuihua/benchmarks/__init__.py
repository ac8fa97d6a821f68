"""What `kuihua bench NAME` runs.

Each benchmark is a module here with a one-line `DESCRIPTION` and
`run(*, scale: float = 1.0, say=print) -> dict`: it reports progress through
`say` and returns its figures, which the command prints as one JSON object on
the last line of its output. A benchmark is self-contained (its own temporary
database) and bounded in time. Add one by adding a module and a line below.
"""

from __future__ import annotations

import importlib
from types import ModuleType

BENCHMARKS: dict[str, str] = {
    "seed": "kuihua.benchmarks.seed",
    "sqlite-writers": "kuihua.benchmarks.sqlite_writers",
    "import-residents": "kuihua.benchmarks.import_residents",
    "signup-rush": "kuihua.benchmarks.signup_rush",
    "match": "kuihua.benchmarks.match",
    "care-sweep": "kuihua.benchmarks.care_sweep",
    "sheet-bomb": "kuihua.benchmarks.sheet_bomb",
    "api-fuzz": "kuihua.benchmarks.api_fuzz",
    "vote-rush": "kuihua.benchmarks.vote_rush",
    "billing": "kuihua.benchmarks.billing",
    "dashboard": "kuihua.benchmarks.dashboard",
}


def load(name: str) -> ModuleType:
    """The benchmark module called `name`; KeyError if there is none."""
    return importlib.import_module(BENCHMARKS[name])
