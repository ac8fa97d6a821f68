from urllib.parse import quote

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "kuihua-test-pass"


def test_signing_in_gives_a_new_session_key(client, coordinator):
    client.get(reverse("login"))
    before = client.session.session_key

    response = client.post(reverse("login"), {"username": "coordinator", "password": PASSWORD})

    assert response.status_code == 302
    assert client.session.session_key != before


def test_an_idle_session_is_signed_out(client, coordinator, settings):
    client.force_login(coordinator)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session["_last_seen"] -= settings.SESSION_IDLE_TIMEOUT + 1
    session.save()

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_repeated_wrong_passwords_make_the_account_wait_a_little_not_lock(
    client, coordinator, settings, clock
):
    for _ in range(settings.KUIHUA_SIGNIN_FREE_FAILURES):
        client.post(reverse("login"), {"username": "coordinator", "password": "wrong"})

    response = client.post(reverse("login"), {"username": "coordinator", "password": PASSWORD})
    assert "秒后再试" in response.content.decode()
    assert "_auth_user_id" not in client.session

    clock.shift(settings.KUIHUA_SIGNIN_MAX_DELAY)
    response = client.post(reverse("login"), {"username": "coordinator", "password": PASSWORD})
    assert response.status_code == 302


def test_pages_need_a_sign_in(client, community):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_an_htmx_request_after_sign_out_sends_the_whole_page_to_sign_in(client, community):
    response = client.get(
        reverse("registry:resident_list") + "?q=zs", headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert response["HX-Redirect"].startswith(reverse("login"))
    assert b"password" not in response.content


def test_an_htmx_action_after_sign_out_comes_back_to_the_page_it_was_pressed_on(client):
    """The button posts to its own URL; after signing in the user returns to the page
    that showed the button (HX-Current-URL), never to the action's URL (a GET there
    would be refused) nor to a page of another site."""
    page = reverse("registry:resident_detail", args=[7]) + "?tab=facts"
    action = reverse("registry:resident_sensitive", args=[7])

    response = client.post(
        action,
        {"purpose": "上门走访"},
        headers={"HX-Request": "true", "HX-Current-URL": f"http://testserver{page}"},
    )
    elsewhere = client.post(
        action, headers={"HX-Request": "true", "HX-Current-URL": "https://evil.example/x"}
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == f"{reverse('login')}?next={quote(page)}"
    assert b"password" not in response.content
    assert elsewhere["HX-Redirect"] == reverse("login")
