"""Every answer under /api/ is JSON in the documented shape, and its schema says what is sent
(issue 12, findings 5 and 10)."""

import json

import pytest
from django.test import Client
from ninja.responses import NinjaJSONEncoder

from kuihua.accounts.models import ApiToken, Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.config.api import api
from kuihua.core.api_support import MAX_PAGE
from kuihua.core.tenancy import use_community
from kuihua.core.tests.test_api_errors import assert_uniform

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_coordinator(client, coordinator):
    client.force_login(coordinator)
    return client


# --- finding 5: the page number -----------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/api/registry/residents", "/api/registry/tags", "/api/organizations", "/api/inbox"],
)
def test_a_huge_page_number_is_a_field_error_not_a_server_error(as_coordinator, path):
    body = assert_uniform(as_coordinator.get(path, {"page": 10**30}), 422, "invalid")

    assert body["errors"] == [{"field": "page", "message": "数值超出范围"}]


def test_the_last_allowed_page_past_the_end_is_an_empty_page(as_coordinator):
    response = as_coordinator.get("/api/registry/residents", {"page": MAX_PAGE, "page_size": 200})

    assert response.status_code == 200
    assert response.json() == {"items": [], "count": 0}


def test_the_page_bound_is_documented():
    operation = api.get_openapi_schema()["paths"]["/api/registry/residents"]["get"]
    page = next(p for p in operation["parameters"] if p["name"] == "page")

    assert page["schema"]["maximum"] == MAX_PAGE


# --- finding 10: JSON everywhere under /api/ ----------------------------------------


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True)


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_write_to_an_unknown_api_path_is_a_json_404(csrf_client, coordinator, method):
    csrf_client.force_login(coordinator)

    response = getattr(csrf_client, method)(
        "/api/nothing-here", "{}", content_type="application/json"
    )

    assert_uniform(response, 404, "not_found")


@pytest.mark.parametrize(
    "path", ["/api/nothing%0Ahere", "/api/registry/residents/1%0A", "/api/%0A"]
)
def test_a_path_with_a_newline_is_a_json_404(as_coordinator, path):
    assert_uniform(as_coordinator.get(path), 404, "not_found")


def test_an_anonymous_write_is_401_with_a_challenge(csrf_client):
    response = csrf_client.post(
        "/api/registry/tags",
        {"code": "kh-fuzz", "name": "试用标签"},
        content_type="application/json",
    )

    assert_uniform(response, 401, "unauthenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_an_anonymous_read_is_401_with_a_challenge(client):
    response = client.get("/api/registry/residents")

    assert_uniform(response, 401, "unauthenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_token_is_401(csrf_client):
    response = csrf_client.post(
        "/api/registry/tags",
        {"code": "kh-fuzz", "name": "试用标签"},
        content_type="application/json",
        headers={"Authorization": "Bearer kh_not-a-token"},
    )

    assert_uniform(response, 401, "unauthenticated")


def test_a_signed_in_write_without_the_csrf_token_is_still_refused(csrf_client, coordinator):
    csrf_client.force_login(coordinator)

    response = csrf_client.post(
        "/api/registry/tags",
        {"code": "kh-fuzz", "name": "试用标签"},
        content_type="application/json",
    )

    assert_uniform(response, 403, "forbidden")


def test_a_token_write_needs_no_csrf_token(csrf_client, coordinator):
    _, token = ApiToken.issue(user=coordinator, name="script")

    response = csrf_client.post(
        "/api/registry/tags",
        {"code": "kh-fuzz", "name": "试用标签"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 201, response.content


# --- finding 10: the schema documents what is sent ----------------------------------


def test_every_schema_name_is_one_shape():
    """ninja names a component after its class: two classes of one name share a component,
    and one operation documents the other's fields (two `MeOut`s did that to /api/me)."""
    from ninja import Schema

    seen: dict[str, type] = {}
    for operation in _operations():
        for model in _models_of(operation):
            name = model.__name__
            if name.startswith("Ninja") or not issubclass(model, Schema):
                continue  # ninja's own wrappers, inlined, never components
            if name in seen and seen[name] is not model:
                assert seen[name].model_json_schema() == model.model_json_schema(), (
                    f"two schemas named {name}: {seen[name].__module__}, {model.__module__}"
                )
            seen[name] = model


def test_api_me_documents_the_signed_in_user():
    schema = _openapi()
    response = schema["paths"]["/api/me"]["get"]["responses"]["200"]
    ref = response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]

    assert {"username", "role", "community"} <= set(
        schema["components"]["schemas"][ref]["properties"]
    )


def test_api_me_answers_what_it_documents(as_coordinator):
    body = as_coordinator.get("/api/me").json()

    assert body["username"] == "coordinator"


def test_no_time_of_day_is_documented_with_the_rfc3339_time_format():
    """OpenAPI's `time` is RFC 3339's full-time, which needs an offset; "08:00:00" is not one."""
    formats = []

    def walk(node):
        if isinstance(node, dict):
            if node.get("format") == "time":
                formats.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    schema = _openapi()
    walk(schema)

    assert formats == []
    shift = schema["components"]["schemas"]["ShiftOut"]["properties"]["starts"]
    assert shift["type"] == "string"
    assert shift["pattern"]


def _openapi() -> dict:
    return json.loads(json.dumps(api.get_openapi_schema(), cls=NinjaJSONEncoder))


def _operations():
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            yield from path_view.operations


def _models_of(operation):
    import typing

    from pydantic import BaseModel

    def unwrap(tp):
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            yield tp
            for field in tp.model_fields.values():
                yield from unwrap(field.annotation)
        for arg in typing.get_args(tp):
            yield from unwrap(arg)

    for model in operation.response_models.values():
        yield from unwrap(model)
    for model in operation.models:
        yield from unwrap(model)


# --- what the fuzz run found (core/tests/test_api_fuzz.py) ---------------------------


def test_every_operation_documents_the_errors_the_framework_answers():
    for path, methods in _openapi()["paths"].items():
        for method, operation in methods.items():
            responses = operation["responses"]
            if operation.get("security"):
                assert "401" in responses, (method, path)
            if operation.get("requestBody"):
                assert {"400", "422"} <= set(responses), (method, path)
            if operation.get("parameters"):
                assert "422" in responses, (method, path)


def test_a_year_out_of_range_is_a_field_error(client, community):
    from kuihua.registry.tests.factories import ResidentFactory

    with use_community(community):
        resident = ResidentFactory(community=community)
    client.force_login(UserFactory(role=Role.VOLUNTEER, community=community, resident=resident))

    body = assert_uniform(client.get("/api/service-records/me", {"year": 0}), 422, "invalid")

    assert body["errors"][0]["field"] == "year"


@pytest.mark.parametrize(
    ("path", "field"),
    [("/api/activities", "organization_id"), ("/api/matching/needs", "category_id")],
)
def test_an_id_filter_no_row_can_have_is_a_field_error(as_coordinator, path, field):
    body = assert_uniform(as_coordinator.get(path, {field: 2**64 + 1}), 422, "invalid")

    assert body["errors"] == [{"field": field, "message": "数值超出范围"}]
