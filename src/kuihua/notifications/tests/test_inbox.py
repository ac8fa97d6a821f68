"""The inbox: one's own messages, unread badge, opening marks read; the same over the API."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kuihua.accounts.tests.factories import UserFactory
from kuihua.core.tenancy import use_community
from kuihua.notifications.models import Message
from kuihua.notifications.services import notify
from kuihua.notifications.tests.factories import volunteer

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(in_community):
    return volunteer(in_community)


@pytest.fixture
def inbox_of(person, in_community):
    """Three messages for `person` (newest last) and one for someone else."""
    titles = ["您已报名：社区环境清洁", "候补转正：周末读书会", "服务时长已审核"]
    made = [
        notify(recipient=person, kind="test", title=t, body="请按时参加。", link="/inbox/")
        for t in titles
    ]
    notify(recipient=volunteer(in_community), kind="test", title="别人的消息")
    return made


def test_the_top_bar_shows_the_unread_count(client, person, inbox_of):
    client.force_login(person)

    page = client.get(reverse("home")).content.decode()

    assert 'id="inbox-badge"' in page
    assert '<span class="inbox-count">3</span>' in page


def test_the_inbox_lists_only_my_messages_newest_first(client, person, inbox_of):
    client.force_login(person)

    page = client.get(reverse("notifications:inbox")).content.decode()

    assert page.index("服务时长已审核") < page.index("候补转正：周末读书会")
    assert "别人的消息" not in page
    assert "未读（3）" in page


def test_opening_a_message_marks_it_read_and_refreshes_the_badge(client, person, inbox_of):
    client.force_login(person)
    message = inbox_of[0]

    response = client.get(
        reverse("notifications:message", args=[message.pk]), headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert "请按时参加。" in response.content.decode()
    assert "inbox-changed" in json.loads(response["HX-Trigger"])
    message.refresh_from_db()
    assert message.read_at is not None
    badge = client.get(reverse("notifications:badge")).content.decode()
    assert '<span class="inbox-count">2</span>' in badge


def test_someone_else_s_message_is_not_there(client, person, inbox_of, in_community):
    client.force_login(person)
    theirs = Message.objects.exclude(recipient=person).get()

    assert client.get(reverse("notifications:message", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_empties_the_badge(client, person, inbox_of):
    client.force_login(person)

    response = client.post(reverse("notifications:mark_all_read"))

    assert response.status_code == 302
    assert Message.objects.filter(recipient=person, read_at__isnull=True).count() == 0
    badge = client.get(reverse("notifications:badge")).content.decode()
    assert "inbox-count" not in badge


def test_a_link_off_the_site_is_not_shown(client, person, in_community):
    message = notify(recipient=person, kind="test", title="可疑", link="javascript:alert(1)")
    client.force_login(person)

    page = client.get(reverse("notifications:message", args=[message.pk])).content.decode()

    assert "javascript:" not in page


def test_the_inbox_needs_a_signed_in_user(client):
    assert client.get(reverse("notifications:inbox")).status_code == 302


# --- the API --------------------------------------------------------------------------


def test_the_api_lists_my_messages_paginated(client, person, inbox_of):
    client.force_login(person)

    body = client.get("/api/inbox?page_size=2").json()

    assert body["count"] == 3
    assert [m["title"] for m in body["items"]] == ["服务时长已审核", "候补转正：周末读书会"]
    assert client.get("/api/inbox/unread").json() == {"unread": 3}


def test_the_api_marks_a_message_read(client, person, inbox_of):
    client.force_login(person)
    message = inbox_of[1]

    response = client.post(f"/api/inbox/{message.pk}/read")

    assert response.status_code == 200
    assert response.json()["read_at"] is not None
    assert [m["id"] for m in client.get("/api/inbox?unread=true").json()["items"]] == [
        inbox_of[2].pk,
        inbox_of[0].pk,
    ]


def test_the_api_refuses_someone_else_s_message(client, person, inbox_of):
    client.force_login(person)
    theirs = Message.objects.exclude(recipient=person).get()

    response = client.post(f"/api/inbox/{theirs.pk}/read")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_api_marks_all_read(client, person, inbox_of):
    client.force_login(person)

    assert client.post("/api/inbox/read-all").json() == {"unread": 0}


def test_the_inbox_list_costs_the_same_queries_for_3_or_30_messages(client, person, inbox_of):
    client.force_login(person)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("notifications:inbox"))
    for n in range(27):
        notify(recipient=person, kind="test", title=f"消息{n}")
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("notifications:inbox"))

    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_platform_account_without_a_community_has_no_badge(client, db):
    admin = UserFactory(username="platform", is_superuser=True, is_staff=True, community=None)
    client.force_login(admin)

    page = client.get(reverse("home")).content.decode()

    assert "inbox-badge" not in page


def test_messages_of_one_community_stay_there(client, other_community, person, inbox_of):
    with use_community(other_community):
        outsider = volunteer(other_community)
        notify(recipient=outsider, kind="test", title="文新社区的消息")
    client.force_login(person)

    assert "文新社区的消息" not in client.get(reverse("notifications:inbox")).content.decode()
