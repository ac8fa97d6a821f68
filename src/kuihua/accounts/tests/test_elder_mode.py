"""长辈模式 (issue 13): one switch in the top bar, kept on the account, larger type everywhere."""

import pytest
from django.test import Client
from django.urls import reverse

from kuihua.accounts.context_processors import ELDER_MODE_COOKIE
from kuihua.accounts.models import Role
from kuihua.accounts.services import user_set_elder_mode
from kuihua.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def resident_user(community):
    return UserFactory(username="zhangsan", role=Role.RESIDENT, community=community)


@pytest.fixture
def signed_in(client, resident_user):
    client.force_login(resident_user)
    return client


def _body_tag(response) -> str:
    html = response.content.decode()
    start = html.index("<body")
    return html[start : html.index(">", start) + 1]


# -- the service ----------------------------------------------------------------------


def test_turning_elder_mode_on_and_off_is_kept_on_the_account(resident_user):
    user_set_elder_mode(user=resident_user, enabled=True)
    resident_user.refresh_from_db()
    assert resident_user.elder_mode is True

    user_set_elder_mode(user=resident_user, enabled=False)
    resident_user.refresh_from_db()
    assert resident_user.elder_mode is False


def test_elder_mode_starts_off():
    assert UserFactory(role=Role.RESIDENT).elder_mode is False


# -- the switch -------------------------------------------------------------------------


def test_every_page_offers_the_switch_and_starts_in_standard_mode(signed_in):
    page = signed_in.get(reverse("home"))

    html = page.content.decode()
    assert 'class="elder-mode"' not in _body_tag(page)
    assert reverse("accounts:elder_mode") in html
    assert "长辈模式" in html
    assert "kuihua/elder-mode.css" in html


def test_the_switch_turns_it_on_and_brings_the_resident_back_to_the_same_page(
    signed_in, resident_user
):
    back_to = reverse("service_records:mine") + "?page=1"

    response = signed_in.post(reverse("accounts:elder_mode"), {"enabled": "1", "next": back_to})

    assert response.status_code == 302
    assert response["Location"] == back_to
    resident_user.refresh_from_db()
    assert resident_user.elder_mode is True
    page = signed_in.get(reverse("home"))
    assert 'class="elder-mode"' in _body_tag(page)
    html = page.content.decode()
    assert "已切换到长辈模式" in html
    assert "标准模式" in html


def test_the_switch_turns_it_off_again(signed_in, resident_user):
    user_set_elder_mode(user=resident_user, enabled=True)

    signed_in.post(reverse("accounts:elder_mode"), {"enabled": "0", "next": "/"})

    resident_user.refresh_from_db()
    assert resident_user.elder_mode is False
    assert 'class="elder-mode"' not in _body_tag(signed_in.get(reverse("home")))


def test_without_a_direction_the_switch_flips(signed_in, resident_user):
    signed_in.post(reverse("accounts:elder_mode"))
    resident_user.refresh_from_db()
    assert resident_user.elder_mode is True

    signed_in.post(reverse("accounts:elder_mode"))
    resident_user.refresh_from_db()
    assert resident_user.elder_mode is False


def test_a_second_tap_on_the_same_switch_leaves_it_on(signed_in, resident_user):
    for _ in range(2):
        signed_in.post(reverse("accounts:elder_mode"), {"enabled": "1"})

    resident_user.refresh_from_db()
    assert resident_user.elder_mode is True


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/phish", "//evil.example/", "javascript:alert(1)"]
)
def test_the_switch_never_sends_anyone_to_another_site(signed_in, resident_user, next_url):
    response = signed_in.post(reverse("accounts:elder_mode"), {"enabled": "1", "next": next_url})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    resident_user.refresh_from_db()
    assert resident_user.elder_mode is True


def test_the_setting_follows_the_person_to_another_device(client, resident_user):
    phone = Client()
    phone.force_login(resident_user)
    phone.post(reverse("accounts:elder_mode"), {"enabled": "1"})

    client.force_login(resident_user)  # another device: no cookie of the phone's
    assert 'class="elder-mode"' in _body_tag(client.get(reverse("home")))


def test_signed_out_the_sign_in_page_keeps_the_devices_last_choice(signed_in):
    signed_in.post(reverse("accounts:elder_mode"), {"enabled": "1"})
    assert signed_in.cookies[ELDER_MODE_COOKIE].value == "1"

    signed_in.post(reverse("logout"))
    login = signed_in.get(reverse("login"))

    assert 'class="elder-mode"' in _body_tag(login)


def test_a_new_device_signed_out_sees_the_standard_page(client):
    assert 'class="elder-mode"' not in _body_tag(client.get(reverse("login")))


def test_someone_signed_out_is_sent_to_sign_in_and_nothing_changes(client, resident_user):
    response = client.post(reverse("accounts:elder_mode"), {"enabled": "1"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    resident_user.refresh_from_db()
    assert resident_user.elder_mode is False


def test_the_switch_only_answers_a_form(signed_in, resident_user):
    assert signed_in.get(reverse("accounts:elder_mode") + "?enabled=1").status_code == 405
    resident_user.refresh_from_db()
    assert resident_user.elder_mode is False


def test_the_switch_needs_the_pages_csrf_token(resident_user):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(resident_user)

    response = strict.post(reverse("accounts:elder_mode"), {"enabled": "1"})

    assert response.status_code == 403
    resident_user.refresh_from_db()
    assert resident_user.elder_mode is False
