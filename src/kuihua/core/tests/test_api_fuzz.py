"""schemathesis against the API, in CI: no server error and no schema violation (issue 12).

Every operation of the OpenAPI document, as a coordinator, an org leader, a volunteer
and a resident of one community (a bearer token each) while a second community is
present, through the WSGI application in this process. Few examples an operation,
no shrinking, derandomized: the same requests every run. The long run, with every
role and many examples, is `kuihua bench api-fuzz` (kuihua.benchmarks.api_fuzz).
"""

import pytest
from django.core.wsgi import get_wsgi_application

from kuihua.accounts.models import Role
from kuihua.benchmarks.api_fuzz import fuzz, world

pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("api-fuzz")]

ROLES = (Role.COORDINATOR, Role.ORG_LEADER, Role.VOLUNTEER, Role.RESIDENT)
EXAMPLES = 3


def test_no_server_error_and_no_schema_violation_for_four_roles(clock):
    tokens = world(scale=0.005)
    said: list[str] = []

    outcome = fuzz(
        app=get_wsgi_application(),
        tokens={role: tokens[role] for role in ROLES},
        max_examples=EXAMPLES,
        say=said.append,
    )

    assert outcome.operations > 50
    assert outcome.failures == [], "\n\n".join(said)
