"""schemathesis against the API, in CI: no server error and no schema violation (issue 12).

Every operation of the OpenAPI document, as a coordinator, an org leader, a volunteer
and a resident of one community (a bearer token each) while a second community is
present, through the WSGI application in this process. Bounded for CI: the
coordinator, who reaches the most handlers, gets schemathesis's coverage cases (each
parameter at and beyond its bounds, missing, of the wrong type: about 45 an operation);
every role gets the documented examples and 3 generated cases an operation, valid and
invalid. No shrinking, derandomized: the same ~6,000 requests every run (about a
minute on two cores). The long run, with every role and many examples, is
`kuihua bench api-fuzz` (kuihua.benchmarks.api_fuzz).
"""

import pytest
from django.core.wsgi import get_wsgi_application

from kuihua.accounts.models import Role
from kuihua.benchmarks.api_fuzz import fuzz, world

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("api-fuzz")]

ROLES = (Role.COORDINATOR, Role.ORG_LEADER, Role.VOLUNTEER, Role.RESIDENT)
EXAMPLES = 3


def test_no_server_error_and_no_schema_violation_for_four_roles():
    tokens = {str(role): token for role, token in world(scale=0.005).items()}
    app = get_wsgi_application()
    said: list[str] = []

    coordinator = fuzz(
        app=app,
        tokens={Role.COORDINATOR: tokens[Role.COORDINATOR]},
        max_examples=EXAMPLES,
        coverage=True,
        say=said.append,
    )
    others = fuzz(
        app=app,
        tokens={role: tokens[role] for role in ROLES if role != Role.COORDINATOR},
        max_examples=EXAMPLES,
        coverage=False,
        say=said.append,
    )

    assert coordinator.operations == others.operations > 100
    assert coordinator.failures + others.failures == [], "\n\n".join(said)
