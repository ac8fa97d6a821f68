"""The test clock for a demo written once per module.

The root conftest's `clock` runs each test on KUIHUA_TEST_NOW (or the real now), but a
module-scoped fixture is set up before it: a demo written there would be written on
the real day while its tests read another. `demo_clock()` travels to the same moment
for the writing, so the demo and its tests share a day."""

import datetime as dt
import os

import time_machine


def demo_clock():
    value = os.environ.get("KUIHUA_TEST_NOW", "").strip()
    if len(value) == 10:
        value += "T10:00:00+08:00"
    start = dt.datetime.fromisoformat(value) if value else dt.datetime.now(dt.UTC)
    return time_machine.travel(start, tick=True)
