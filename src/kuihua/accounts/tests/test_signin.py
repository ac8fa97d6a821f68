"""Sign-in throttling behind the TLS proxy: per address across usernames, a growing
delay per account that a stranger cannot turn into a lock-out (issue 12, finding 4)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from kuihua.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "kuihua-test-pass"
PROXY = "10.0.0.2"  # every request reaches Django from the TLS proxy


@pytest.fixture(autouse=True)
def _behind_the_proxy(settings):
    settings.KUIHUA_TRUSTED_PROXIES = 1


def _client_at(address: str) -> Client:
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address)


def _sign_in(client: Client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def _wait_in(response) -> int:
    found = re.search(r"请(\d+)秒后再试", response.content.decode())
    assert found, response.content.decode()
    return int(found.group(1))


def test_a_stranger_spraying_wrong_passwords_only_delays_the_owner_who_then_gets_in(
    coordinator, clock
):
    stranger, owner = _client_at("198.51.100.7"), _client_at("203.0.113.9")
    for _ in range(5):
        assert _sign_in(stranger, "coordinator", "wrong").status_code == 200

    waiting = _sign_in(owner, "coordinator", PASSWORD)
    assert waiting.status_code == 200
    assert _wait_in(waiting) == 2
    assert "_auth_user_id" not in owner.session

    clock.shift(3)
    response = _sign_in(owner, "coordinator", PASSWORD)

    assert response.status_code == 302
    assert owner.session["_auth_user_id"] == str(coordinator.pk)


def test_one_address_trying_many_usernames_is_refused_after_the_limit(community, settings):
    for n in range(12):
        UserFactory(username=f"resident{n}", community=community)
    sprayer = _client_at("198.51.100.7")

    answers = [_sign_in(sprayer, f"resident{n}", "123456").status_code for n in range(12)]

    limit = settings.AXES_FAILURE_LIMIT  # the limit-th wrong password is refused
    assert limit < 12
    assert answers[: limit - 1] == [200] * (limit - 1)
    assert answers[limit - 1 :] == [429] * (12 - limit + 1)
    refused = _sign_in(sprayer, "resident0", PASSWORD)
    assert refused.status_code == 429
    assert "输错密码的次数过多" in refused.content.decode()
    # Someone else behind the same proxy is not refused.
    assert _sign_in(_client_at("203.0.113.9"), "resident0", PASSWORD).status_code == 302


def test_an_address_written_by_the_client_into_the_header_is_not_believed(community, settings):
    for n in range(12):
        UserFactory(username=f"resident{n}", community=community)
    sprayer = Client(REMOTE_ADDR=PROXY)

    answers = [
        sprayer.post(
            reverse("login"),
            {"username": f"resident{n}", "password": "123456"},
            # the proxy appends the real address after whatever the client sent
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.7",
        ).status_code
        for n in range(12)
    ]

    assert answers[settings.AXES_FAILURE_LIMIT - 1 :] == [429] * (13 - settings.AXES_FAILURE_LIMIT)


def test_the_delay_grows_with_each_further_wrong_password_and_a_try_while_waiting_does_not(
    coordinator, clock
):
    addresses = (f"198.51.100.{n}" for n in range(1, 100))  # a spray from many addresses
    for _ in range(5):
        _sign_in(_client_at(next(addresses)), "coordinator", "wrong")
    waits = []
    for _ in range(3):
        waits.append(_wait_in(_sign_in(_client_at(next(addresses)), "coordinator", PASSWORD)))
        again = _sign_in(_client_at(next(addresses)), "coordinator", "wrong")
        assert _wait_in(again) <= waits[-1]
        clock.shift(waits[-1] + 1)
        _sign_in(_client_at(next(addresses)), "coordinator", "wrong")

    assert waits == [2, 4, 8]


def test_the_admin_sign_in_waits_too(coordinator, clock):
    coordinator.is_staff = True
    coordinator.save()
    client = _client_at("203.0.113.9")
    for _ in range(5):
        _sign_in(client, "coordinator", "wrong")

    client.post(reverse("admin:login"), {"username": "coordinator", "password": PASSWORD})

    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "198.51.100.7", PROXY),  # facing browsers: the header is the client's own
        (1, "", PROXY),  # nothing appended: the proxy's address, never a guess
        (1, "192.0.2.1, 198.51.100.7", "198.51.100.7"),
        (2, "192.0.2.1, 198.51.100.7, 10.0.0.9", "198.51.100.7"),
        (1, "not-an-address", PROXY),
    ],
)
def test_the_client_address_is_the_one_the_trusted_proxies_appended(
    rf, settings, proxies, forwarded, expected
):
    from kuihua.accounts.signin import client_ip

    settings.KUIHUA_TRUSTED_PROXIES = proxies
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected
