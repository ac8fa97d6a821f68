"""Care objects for tests, built through the services."""

from __future__ import annotations

from kuihua.care import services


def care_world(*, coordinator, resident) -> dict:
    """An enrolled person with an alert (a door nobody answered), for the isolation walk."""
    recipient = services.recipient_enrol(actor=coordinator, resident=resident)
    check_in = services.check_in(
        actor=coordinator, recipient=recipient, channel="visit", result="no_answer"
    )
    return {"recipient": recipient, "alert": check_in.alert}
