"""The API's OpenAPI document is committed; a change to it is a reviewed change.

Regenerate after an intended change with:

    KUIHUA_UPDATE_SNAPSHOT=1 .venv/bin/pytest src/kuihua/core/tests/test_openapi_snapshot.py
"""

import json
import os
from pathlib import Path

from ninja.responses import NinjaJSONEncoder

from kuihua.config.api import api

SNAPSHOT = Path(__file__).with_name("openapi_snapshot.json")


def _current() -> dict:
    return json.loads(json.dumps(api.get_openapi_schema(), cls=NinjaJSONEncoder))


def _dump(schema: dict) -> str:
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def test_openapi_schema_matches_the_committed_snapshot():
    current = _current()
    if os.environ.get("KUIHUA_UPDATE_SNAPSHOT") == "1":
        SNAPSHOT.write_text(_dump(current), encoding="utf-8")
    assert SNAPSHOT.exists(), "no snapshot: run with KUIHUA_UPDATE_SNAPSHOT=1"

    committed = json.loads(SNAPSHOT.read_text(encoding="utf-8"))

    assert _dump(current) == _dump(committed), (
        "The API changed. If intended, regenerate the snapshot with KUIHUA_UPDATE_SNAPSHOT=1."
    )


def test_every_path_parameter_is_named_after_its_object():
    for path in _current()["paths"]:
        for part in path.split("/"):
            if part.startswith("{"):
                assert part.endswith("_id}"), path
