import datetime as dt

import pytest
from django.test import Client

from kuihua.accounts.models import ApiToken, Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.registry.tests.factories import ResidentFactory

pytestmark = pytest.mark.django_db


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _issue(client, name="小程序") -> dict:
    response = client.post("/api/auth/tokens", {"name": name}, content_type="application/json")
    assert response.status_code == 201, response.json()
    return response.json()


class TestMe:
    def test_says_who_is_signed_in(self, client, community):
        resident = ResidentFactory(household__building__compound__community=community)
        user = UserFactory(
            username="zhou", role=Role.VOLUNTEER, community=community, resident=resident
        )
        client.force_login(user)

        body = client.get("/api/me").json()

        assert body == {
            "username": "zhou",
            "display_name": "",
            "role": "volunteer",
            "role_label": "志愿者",
            "community": {"id": community.pk, "name": "翠苑一区社区"},
            "resident_id": resident.pk,
        }

    def test_anonymous_is_401(self, client):
        response = client.get("/api/me")

        assert response.status_code == 401
        assert response.json()["code"] == "unauthenticated"


class TestTokens:
    def test_a_session_issues_a_token_shown_once(self, client, coordinator):
        client.force_login(coordinator)

        issued = _issue(client)
        listed = client.get("/api/auth/tokens").json()

        assert issued["token"].startswith("kh_")
        assert issued["prefix"] == issued["token"][:8]
        assert listed["count"] == 1
        assert "token" not in listed["items"][0]
        stored = ApiToken.objects.get()
        assert issued["token"] not in (stored.digest, stored.prefix)

    def test_a_token_authenticates_and_puts_the_community_in_force(
        self, client, coordinator, community
    ):
        ResidentFactory(household__building__compound__community=community)
        client.force_login(coordinator)
        token = _issue(client)["token"]
        bare = Client()

        me = bare.get("/api/me", headers=_bearer(token))
        residents = bare.get("/api/registry/residents", headers=_bearer(token))

        assert me.status_code == 200
        assert me.json()["username"] == "coordinator"
        assert residents.status_code == 200
        assert residents.json()["count"] == 1
        assert ApiToken.objects.get().last_used_at is not None

    def test_a_tokens_last_use_is_written_at_most_once_a_minute(self, client, coordinator):
        client.force_login(coordinator)
        token = _issue(client)["token"]
        bare = Client()

        bare.get("/api/me", headers=_bearer(token))
        first = ApiToken.objects.get().last_used_at
        bare.get("/api/me", headers=_bearer(token))
        again = ApiToken.objects.get().last_used_at
        ApiToken.objects.update(last_used_at=first - dt.timedelta(minutes=2))
        bare.get("/api/me", headers=_bearer(token))
        later = ApiToken.objects.get().last_used_at

        assert first is not None
        assert again == first
        assert later > first

    def test_a_token_writes_without_a_csrf_cookie(self, client, coordinator):
        client.force_login(coordinator)
        token = _issue(client)["token"]
        strict = Client(enforce_csrf_checks=True)

        response = strict.post(
            "/api/registry/tags",
            {"code": "veteran", "name": "退役军人"},
            content_type="application/json",
            headers=_bearer(token),
        )

        assert response.status_code == 201

    def test_a_session_write_without_csrf_is_refused_in_the_uniform_shape(self, coordinator):
        strict = Client(enforce_csrf_checks=True)
        strict.force_login(coordinator)

        response = strict.post(
            "/api/registry/tags", {"code": "x", "name": "某"}, content_type="application/json"
        )

        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"

    def test_a_token_cannot_mint_tokens(self, client, coordinator):
        client.force_login(coordinator)
        token = _issue(client)["token"]

        response = Client().post(
            "/api/auth/tokens",
            {"name": "x"},
            content_type="application/json",
            headers=_bearer(token),
        )

        assert response.status_code == 401

    def test_a_revoked_token_is_401(self, client, coordinator):
        client.force_login(coordinator)
        issued = _issue(client)

        revoked = client.delete(f"/api/auth/tokens/{issued['id']}")
        response = Client().get("/api/me", headers=_bearer(issued["token"]))

        assert revoked.status_code == 204
        assert response.status_code == 401
        assert response.json()["code"] == "unauthenticated"
        assert client.get("/api/auth/tokens").json()["items"][0]["revoked_at"] is not None

    def test_an_unknown_token_is_401(self):
        response = Client().get("/api/me", headers=_bearer("kh_not-a-real-token"))

        assert response.status_code == 401

    def test_a_token_of_an_inactive_user_is_401(self, client, coordinator):
        client.force_login(coordinator)
        token = _issue(client)["token"]
        coordinator.is_active = False
        coordinator.save()

        assert Client().get("/api/me", headers=_bearer(token)).status_code == 401

    def test_nobody_sees_or_revokes_anothers_token(self, client, coordinator, community):
        other = UserFactory(role=Role.COORDINATOR, community=community)
        theirs, _plain = ApiToken.issue(user=other, name="theirs")
        client.force_login(coordinator)

        listed = client.get("/api/auth/tokens").json()
        response = client.delete(f"/api/auth/tokens/{theirs.pk}")

        assert listed["count"] == 0
        assert response.status_code == 404
        theirs.refresh_from_db()
        assert theirs.revoked_at is None
