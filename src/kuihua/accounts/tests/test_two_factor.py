"""Two-factor sign-in for the roles that can reveal whole records, recovery codes, and
the password change page with its offline list of breached passwords (issue 12, finding 12)."""

import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from kuihua.accounts.models import Role
from kuihua.accounts.services import totp_device_confirm, totp_device_start
from kuihua.accounts.tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("_two_factor_required"),
]

PASSWORD = "kuihua-test-pass"


@pytest.fixture
def _two_factor_required(settings):
    settings.KUIHUA_OTP_REQUIRED_ROLES = [Role.COORDINATOR, Role.DISTRICT_VIEWER]


def _code_for(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def _sign_in(client, username="coordinator"):
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return response


def _enrolled(user) -> list[str]:
    device = totp_device_start(user=user)
    return totp_device_confirm(user=user, device=device, code=_code_for(device))


def test_a_coordinator_without_two_factor_reaches_only_the_set_up_until_enrolled(
    client, coordinator
):
    _sign_in(client)

    page = client.get(reverse("registry:resident_list"))
    assert page.status_code == 302
    assert page["Location"].startswith(reverse("accounts:otp_setup"))
    api = client.get("/api/me")
    assert api.status_code == 403
    assert api.json()["code"] == "two_factor_required"
    assert client.post("/api/auth/tokens", {"name": "x"}, "application/json").status_code == 403

    setup = client.get(reverse("accounts:otp_setup"))
    html = setup.content.decode()
    assert setup.status_code == 200
    assert "<svg" in html
    assert not re.search(r"<script(?![^>]*\bsrc=)|<style", html)  # the CSP allows neither
    assert "style=" not in html.split("<svg", 1)[1].split("</svg>", 1)[0]
    device = TOTPDevice.objects.get(user=coordinator)
    response = client.post(
        reverse("accounts:otp_setup") + "?next=/registry/", {"code": _code_for(device)}
    )

    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", response.content.decode())
    assert len(codes) == 10
    assert "只显示这一次" in response.content.decode()
    assert client.get(reverse("registry:resident_list")).status_code == 200
    assert client.get(reverse("accounts:otp_setup")).status_code == 302  # shown once


def test_a_wrong_code_is_refused_at_set_up_and_at_sign_in(client, coordinator):
    _sign_in(client)
    response = client.post(reverse("accounts:otp_setup"), {"code": "000000"})
    assert "验证码不正确" in response.content.decode()
    assert client.get(reverse("registry:resident_list")).status_code == 302

    _enrolled(coordinator)
    response = client.post(reverse("accounts:otp_verify"), {"code": "000000"})

    assert "验证码不正确" in response.content.decode()
    assert client.get(reverse("registry:resident_list"))["Location"].startswith(
        reverse("accounts:otp_verify")
    )


def test_an_enrolled_coordinator_signs_in_with_a_code_from_the_app(client, coordinator):
    _enrolled(coordinator)
    _sign_in(client)
    assert client.get(reverse("registry:resident_list")).status_code == 302

    device = TOTPDevice.objects.get(user=coordinator)
    device.last_t = -1  # the code used at enrolment may come round again in this 30 s
    device.save()
    client.post(reverse("accounts:otp_verify"), {"code": _code_for(device)})

    assert client.get(reverse("registry:resident_list")).status_code == 200


def test_a_recovery_code_works_once(client, coordinator):
    codes = _enrolled(coordinator)
    _sign_in(client)

    client.post(reverse("accounts:otp_verify"), {"code": codes[0].upper()})
    assert client.get(reverse("registry:resident_list")).status_code == 200

    client.post(reverse("logout"))
    _sign_in(client)
    response = client.post(reverse("accounts:otp_verify"), {"code": codes[0]})
    assert "已经用过" in response.content.decode()
    assert client.get(reverse("registry:resident_list")).status_code == 302


def test_only_a_verified_session_creates_an_api_token_and_the_token_then_works(client, coordinator):
    codes = _enrolled(coordinator)
    _sign_in(client)
    refused = client.post("/api/auth/tokens", {"name": "脚本"}, "application/json")
    assert refused.status_code == 403

    client.post(reverse("accounts:otp_verify"), {"code": codes[0]})
    issued = client.post("/api/auth/tokens", {"name": "脚本"}, "application/json")
    assert issued.status_code == 201

    me = Client().get("/api/me", headers={"Authorization": f"Bearer {issued.json()['token']}"})
    assert me.status_code == 200


def test_a_district_viewer_is_asked_too(client, community):
    viewer = UserFactory(username="viewer", role=Role.DISTRICT_VIEWER)
    viewer.viewable_communities.add(community)
    _sign_in(client, "viewer")

    assert client.get(reverse("home"))["Location"].startswith(reverse("accounts:otp_setup"))


def test_a_volunteer_is_not_asked(client, community):
    UserFactory(username="volunteer", role=Role.VOLUNTEER, community=community)
    _sign_in(client, "volunteer")

    assert client.get(reverse("home")).status_code == 200


def test_a_superuser_is_asked_whatever_the_role(client, community):
    # A superuser reaches /admin/ and every community: never a way around the code.
    UserFactory(
        username="root", role=Role.RESIDENT, community=community, is_superuser=True, is_staff=True
    )
    _sign_in(client, "root")

    assert client.get("/admin/")["Location"].startswith(reverse("accounts:otp_setup"))


@override_settings(KUIHUA_OTP_REQUIRED_ROLES=[])
def test_with_no_roles_required_a_coordinator_goes_straight_in(client, coordinator):
    _sign_in(client)

    assert client.get(reverse("registry:resident_list")).status_code == 200


# -- changing one's password ---------------------------------------------------------------


@pytest.mark.parametrize(
    "weak",
    ["P@ssw0rd123", "Password@123", "woaini1314", "qwe123456", "woaini5201314", "1qaz2wsx3edc"],
)
def test_a_common_or_breached_password_is_refused_on_the_password_change_page(
    client, community, weak
):
    user = UserFactory(username="volunteer", role=Role.VOLUNTEER, community=community)
    client.force_login(user)
    assert reverse("accounts:password_change") in client.get(reverse("home")).content.decode()

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak},
    )

    assert response.status_code == 200
    assert "这个密码太常见，或出现在公开泄露的密码库里" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_good_password_is_changed_and_the_user_stays_signed_in(client, community):
    user = UserFactory(username="volunteer", role=Role.VOLUNTEER, community=community)
    client.force_login(user)
    new = "葵花-社区-向日葵-2718"

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
        follow=True,
    )

    assert "密码已修改" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(new)
