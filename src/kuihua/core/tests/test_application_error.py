"""One error type for a broken rule: any ApplicationError is one 400, on the API and on pages."""

import pytest
from django.http import HttpResponse
from django.urls import path
from django.utils.translation import gettext as _

from kuihua.activities.attendance import AttendanceError
from kuihua.activities.services import ActivityError
from kuihua.activities.signups.services import SignupError
from kuihua.care.services import CareError
from kuihua.config.urls import urlpatterns as kuihua_urlpatterns
from kuihua.core.errors import ApplicationError
from kuihua.core.sheets import SheetError
from kuihua.core.tests.test_api_errors import assert_uniform
from kuihua.matching.services import MatchingError
from kuihua.organizations.services import OrganizationError
from kuihua.registry import services as registry_services
from kuihua.registry.services import RegistryError
from kuihua.service_records.services import ServiceRecordError
from kuihua.training.services import TrainingError
from kuihua.venues.services import BookingClash, BookingError

pytestmark = pytest.mark.django_db


class BrandNewError(ApplicationError):
    """An app's own name for its broken rules, unknown to the API module."""


APP_ERRORS = [
    RegistryError,
    SheetError,
    OrganizationError,
    SignupError,
    BookingError,
    ActivityError,
    AttendanceError,
    ServiceRecordError,
    MatchingError,
    CareError,
    TrainingError,
    BrandNewError,
]


@pytest.mark.parametrize("error_class", APP_ERRORS, ids=lambda c: c.__name__)
def test_every_app_error_is_an_application_error(error_class):
    exc = error_class("规则被打破", field="name")

    assert isinstance(exc, ApplicationError)
    assert isinstance(exc, ValueError)
    assert (str(exc), exc.field) == ("规则被打破", "name")


def test_a_booking_clash_keeps_its_clash_and_field():
    exc = BookingClash("时间冲突", clash=None)

    assert isinstance(exc, ApplicationError)
    assert (exc.field, exc.clash) == ("starts_at", None)


def _post_resident(client, monkeypatch, exc):
    def refuse(**kwargs):
        raise exc

    monkeypatch.setattr(registry_services, "resident_create", refuse)
    return client.post(
        "/api/registry/residents",
        {"name": "赵四", "id_number": "110101199003071234"},
        content_type="application/json",
    )


@pytest.mark.parametrize("error_class", APP_ERRORS, ids=lambda c: c.__name__)
def test_the_api_answers_any_application_error_with_the_uniform_400(
    client, coordinator, monkeypatch, error_class
):
    # given a service that refuses with any subclass, one the API never named included
    client.force_login(coordinator)

    # when the API calls it
    response = _post_resident(client, monkeypatch, error_class("不行", field="name"))

    # then the one handler answers 400 with the message on the field
    body = assert_uniform(response, 400, "rejected")
    assert body["message"] == "不行"
    assert body["errors"] == [{"field": "name", "message": "不行"}]


def test_an_application_error_without_a_field_has_no_field_errors(client, coordinator, monkeypatch):
    client.force_login(coordinator)

    response = _post_resident(client, monkeypatch, BrandNewError("整个请求不行"))

    body = assert_uniform(response, 400, "rejected")
    assert (body["message"], body["errors"]) == ("整个请求不行", [])


# --- pages -----------------------------------------------------------------------------


def _refusing_page(request):
    raise BrandNewError(_("找不到该记录"), field="name")


def _fine_page(request):
    return HttpResponse("ok")


urlpatterns = [
    path("test-refusing-page/", _refusing_page),
    path("test-fine-page/", _fine_page),
    *kuihua_urlpatterns,
]


@pytest.mark.urls(__name__)
def test_a_page_that_does_not_catch_a_broken_rule_shows_its_message_not_a_500(client):
    response = client.get("/test-refusing-page/")

    assert response.status_code == 400
    assert "找不到该记录" in response.content.decode()


@pytest.mark.urls(__name__)
def test_the_page_message_is_in_the_users_language(client):
    response = client.get("/test-refusing-page/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    page = response.content.decode()
    assert "Record not found" in page
    assert "The request could not be processed" in page


@pytest.mark.urls(__name__)
def test_a_page_without_an_error_is_untouched(client):
    assert client.get("/test-fine-page/").content == b"ok"
