"""`kuihua bench api-fuzz [--scale F]`: schemathesis against the API as every role.

The API's own OpenAPI document drives schemathesis (property-based requests built
from each operation's parameters and bodies, valid and invalid), sent in-process
through the WSGI application (no server) with a bearer token for each role of one
community, while a second community is present. Every answer must be:

- no server error (5xx);
- a status the operation documents;
- JSON, as documented;
- conforming to the schema documented for that status.

The run is self-contained: a child process on a fresh SQLite file in a temporary
KUIHUA_HOME, two small demo communities (`kuihua.demo`) and one login per role. It
prints each failure (operation, role, check, request) and returns the counts.
`core/tests/test_api_fuzz.py` runs the same `fuzz()` in CI with few examples, four
roles and no shrinking; this is the long run (default 60 examples an operation, the
six roles, shrinking on, so a failure is reported with its smallest request).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

DESCRIPTION = "schemathesis against every API operation as every role, in-process (two communities)"
TIME_LIMIT = 3600
EXAMPLES = 60
SEED = 20261204

# What an answer is held to: the brief of issue 12 (no 5xx, no schema violation).
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)


@dataclass
class Failure:
    role: str
    operation: str
    checks: list[str]
    message: str
    request: str

    def __str__(self) -> str:
        return (
            f"[{self.role}] {self.operation}: {', '.join(self.checks)}\n"
            f"  {self.message.strip()[:600]}\n  {self.request}"
        )


@dataclass
class Outcome:
    operations: int = 0
    requests: int = 0
    failures: list[Failure] = field(default_factory=list)
    by_role: dict[str, int] = field(default_factory=dict)

    @property
    def server_errors(self) -> int:
        return sum("not_a_server_error" in f.checks for f in self.failures)


def fuzz(
    *,
    app,
    tokens: dict[str, str],
    max_examples: int,
    seed: int = SEED,
    shrink: bool = False,
    coverage: bool = True,
    say: Callable[[str], None] = print,
    operations: Iterable[str] | None = None,
) -> Outcome:
    """Run schemathesis over every operation as each role of `tokens` (role → token).

    Each operation gets schemathesis's three phases, as its CLI runs them: the
    documented examples, the coverage cases (each parameter's boundaries and just
    beyond them, missing and wrong-typed values: deterministic), and `max_examples`
    generated cases, valid and invalid. Derandomized with `seed` and no example
    database: the same requests every run. A failing operation reports its first
    failure and the run goes on.
    """
    import hypothesis
    import schemathesis
    from hypothesis import HealthCheck, Phase
    from schemathesis.generation.hypothesis.builder import (
        HypothesisTestConfig,
        HypothesisTestMode,
    )

    from kuihua.config.api import api

    document = json.loads(json.dumps(api.get_openapi_schema(), default=str))
    schema = schemathesis.openapi.from_dict(document)
    schema.app = app
    checks = [getattr(schemathesis.checks, name) for name in CHECKS]
    phases = [Phase.explicit, Phase.generate] + ([Phase.shrink] if shrink else [])
    settings = hypothesis.settings(
        max_examples=max_examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=phases,
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
    )
    modes = [HypothesisTestMode.EXAMPLES, HypothesisTestMode.FUZZING]
    if coverage:
        modes.insert(1, HypothesisTestMode.COVERAGE)
    config = HypothesisTestConfig(
        project=schema.config, modes=modes, settings=settings, apply_ci_profile=False, seed=seed
    )
    wanted = set(operations) if operations is not None else None
    outcome = Outcome()
    with _connections_kept():
        _run_all(schema, tokens, config, checks, wanted, outcome, say)
    return outcome


@contextmanager
def _connections_kept():
    """Keep the database connection across the in-process requests, as Django's test
    client does: the request signals would close a connection that is inside a
    transaction (a test's), and PostgreSQL's next query would find it closed."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _run_all(schema, tokens, config, checks, wanted, outcome, say) -> None:
    from schemathesis.generation.hypothesis.builder import create_test

    for result in schema.get_all_operations():
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.path}"
        if wanted is not None and label not in wanted:
            continue
        outcome.operations += 1
        for role, token in tokens.items():
            role = str(role)
            calls = [0]
            headers = {"Authorization": f"Bearer {token}"}

            def send(case, headers=headers, calls=calls):
                calls[0] += 1
                case.call_and_validate(headers=headers, checks=checks)

            test = create_test(operation=operation, test_func=_no_defaults(send), config=config)
            try:
                test()
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as exc:
                failure = _failure(role, label, exc)
                outcome.failures.append(failure)
                outcome.by_role[role] = outcome.by_role.get(role, 0) + 1
                say(str(failure))
            outcome.requests += calls[0]


def _no_defaults(send: Callable) -> Callable:
    """hypothesis refuses a test function with defaults: close over them instead."""

    def test(case):
        send(case)

    return test


def _failure(role: str, label: str, exc: BaseException) -> Failure:
    names: list[str] = []
    messages: list[str] = []
    request = ""
    inner = list(getattr(exc, "exceptions", []) or [exc])
    for error in inner:
        title = getattr(error, "title", None) or type(error).__name__
        names.append(_check_name(error, title))
        messages.append(f"{title}: {getattr(error, 'message', '') or error}")
    text = str(exc)
    for line in text.splitlines():
        if line.strip().startswith("curl "):
            request = line.strip()
            break
    return Failure(
        role=role,
        operation=label,
        checks=sorted(set(names)),
        message="\n  ".join(messages),
        request=request,
    )


def _check_name(error: BaseException, title: str) -> str:
    kinds = {
        "ServerError": "not_a_server_error",
        "UndefinedStatusCode": "status_code_conformance",
        "UndefinedContentType": "content_type_conformance",
        "MalformedMediaType": "content_type_conformance",
        "JsonSchemaError": "response_schema_conformance",
        "MissingContentType": "content_type_conformance",
    }
    return kinds.get(type(error).__name__, title)


# --- the long run: `kuihua bench api-fuzz` --------------------------------------------


def run(*, scale: float = 1.0, say: Callable[[str], None] = print) -> dict:
    with tempfile.TemporaryDirectory(prefix="kuihua-bench-fuzz-") as home:
        database = Path(home) / "bench.sqlite3"
        env = {
            **os.environ,
            "KUIHUA_HOME": home,
            "DATABASE_URL": f"sqlite:///{database}",
            "DJANGO_SETTINGS_MODULE": "kuihua.config.settings.local",
        }
        say(f"fresh SQLite database in {home}; fuzzing at scale {scale} …")
        child = subprocess.Popen(  # noqa: S603 - our own module, no shell
            [sys.executable, "-m", "kuihua.benchmarks.api_fuzz", str(scale)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        last = ""
        assert child.stdout is not None
        for line in child.stdout:
            line = line.rstrip("\n")
            if line.startswith("{"):
                last = line
            else:
                say(line)
        if child.wait(timeout=TIME_LIMIT) != 0 or not last:
            raise RuntimeError("the api-fuzz benchmark failed (see its output above)")
    return json.loads(last)


def world(*, scale: float) -> dict[str, str]:
    """Two demo communities; a token for each role of the first. Returns role → token."""
    from kuihua.accounts.models import ApiToken, User
    from kuihua.demo.logins import demo_accounts_ensure
    from kuihua.demo.write import generate_community

    first = generate_community(index=1, scale=scale)
    generate_community(index=2, scale=scale)
    logins = demo_accounts_ensure(community=first)
    tokens = {}
    for login in logins:
        user = User.objects.get(username=login.username)
        _, tokens[login.role] = ApiToken.issue(user=user, name="api-fuzz")
    return tokens


def _child(scale: float) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.wsgi import get_wsgi_application

    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    tokens = world(scale=max(0.005, 0.02 * scale))
    print(f"world ready in {time.perf_counter() - started:.1f} s: roles {', '.join(tokens)}")
    examples = max(5, round(EXAMPLES * scale))
    started = time.perf_counter()
    outcome = fuzz(
        app=get_wsgi_application(),
        tokens=tokens,
        max_examples=examples,
        shrink=True,
        say=lambda line: print(line, flush=True),
    )
    seconds = time.perf_counter() - started
    figures = {
        "benchmark": "api-fuzz",
        "operations": outcome.operations,
        "roles": len(tokens),
        "max_examples": examples,
        "requests": outcome.requests,
        "failures": len(outcome.failures),
        "server_errors": outcome.server_errors,
        "failures_by_role": outcome.by_role,
        "seconds": round(seconds, 1),
        "failed": [asdict(f) for f in outcome.failures],
    }
    return figures


if __name__ == "__main__":
    print(json.dumps(_child(float(sys.argv[1])), ensure_ascii=False))
