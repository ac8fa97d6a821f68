"""Every error of the API has one shape: {"status", "code", "message", "errors"}."""

import pytest
from django.contrib.staticfiles import finders

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.api_support import error_body

pytestmark = pytest.mark.django_db


def assert_uniform(response, status: int, code: str) -> dict:
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"status", "code", "message", "errors"}
    assert (body["status"], body["code"]) == (status, code)
    assert isinstance(body["message"], str)
    assert body["message"]
    for error in body["errors"]:
        assert set(error) == {"field", "message"}
    return body


@pytest.fixture
def as_coordinator(client, coordinator):
    client.force_login(coordinator)
    return client


def test_401_when_nobody_is_signed_in(client):
    body = assert_uniform(client.get("/api/registry/residents"), 401, "unauthenticated")

    assert body["message"] == "请先登录"


@pytest.mark.parametrize(
    "path",
    [
        "/api/",
        "/api/nothing-here",
        "/api/registry/residents/not-a-number",
        "/api/registry/residents/1/nothing",
    ],
)
def test_404_for_unknown_routes_under_api(client, path):
    assert_uniform(client.get(path), 404, "not_found")


def test_404_for_an_object_that_is_not_there(as_coordinator):
    body = assert_uniform(as_coordinator.get("/api/registry/residents/999999"), 404, "not_found")

    assert body["message"] == "找不到该记录"


def test_405_names_the_allowed_methods(as_coordinator):
    response = as_coordinator.put("/api/me")

    assert_uniform(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET"


def test_422_names_each_invalid_field(as_coordinator):
    response = as_coordinator.post(
        "/api/registry/residents",
        {"sex": "X", "address": {"compound": "翠苑一区"}},
        content_type="application/json",
    )

    body = assert_uniform(response, 422, "invalid")
    fields = {e["field"] for e in body["errors"]}
    assert {"name", "sex", "address.building", "address.room"} <= fields
    assert {e["message"] for e in body["errors"] if e["field"] == "name"} == {"此项为必填项"}


def test_422_for_a_bad_query_parameter(as_coordinator):
    body = assert_uniform(
        as_coordinator.get("/api/registry/residents", {"page": 0}), 422, "invalid"
    )

    assert body["errors"][0]["field"] == "page"


def test_400_for_a_broken_business_rule_with_the_field(as_coordinator):
    response = as_coordinator.post(
        "/api/registry/residents",
        {"name": "赵四", "id_number": "110101199003071234"},
        content_type="application/json",
    )

    body = assert_uniform(response, 400, "rejected")
    assert body["errors"] == [{"field": "id_number", "message": body["message"]}]
    assert "身份证" in body["message"]


def test_400_for_a_body_that_is_not_json(as_coordinator):
    response = as_coordinator.post(
        "/api/registry/tags", "{not json", content_type="application/json"
    )

    assert_uniform(response, 400, "rejected")


def test_403_for_a_missing_permission(client, community):
    client.force_login(UserFactory(role=Role.VOLUNTEER, community=community))

    assert_uniform(client.get("/api/registry/access-log"), 403, "forbidden")


def test_403_for_an_account_without_a_community(client, db):
    client.force_login(UserFactory(role=Role.COORDINATOR, community=None))

    assert_uniform(client.get("/api/registry/residents"), 403, "no_community")


def test_the_error_body_defaults_to_the_status_message():
    assert error_body(404) == {
        "status": 404,
        "code": "not_found",
        "message": "找不到该记录",
        "errors": [],
    }


def test_openapi_json_is_served(client):
    response = client.get("/api/openapi.json")

    assert response.status_code == 200
    assert "/api/registry/residents" in response.json()["paths"]


def test_docs_render_with_local_assets_only(client):
    response = client.get("/api/docs")

    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "/static/ninja/swagger-ui.css" in html
    for cdn in ("cdn.jsdelivr.net", "unpkg.com", "cdnjs", "http://", "https://"):
        assert cdn not in html
    assert finders.find("ninja/swagger-ui-bundle.js")
