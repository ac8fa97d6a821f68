import pytest

from kuihua.accounts.models import ApiToken, Role
from kuihua.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_community_staff_cannot_manage_accounts_or_tokens_in_admin(client, community):
    staff = UserFactory(role=Role.COORDINATOR, community=community, is_staff=True)
    staff.user_permissions.set([])
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="accounts"))
    other = UserFactory(role=Role.COORDINATOR, community=community)
    ApiToken.issue(user=other, name="x")
    client.force_login(staff)

    for url in (
        "/admin/accounts/user/",
        f"/admin/accounts/user/{other.pk}/change/",
        "/admin/accounts/apitoken/",
    ):
        assert client.get(url).status_code == 403, url


def test_platform_superusers_manage_accounts(client, community):
    root = UserFactory(role=Role.COORDINATOR, community=None, is_staff=True, is_superuser=True)
    client.force_login(root)

    assert client.get("/admin/accounts/user/").status_code == 200
