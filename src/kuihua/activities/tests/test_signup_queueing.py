"""A place that comes free while someone queues for a full activity is not left empty.

Queueing for a full activity does not wait for the activity's row lock (see
lock_objects.take_place): a cancellation committing at that moment finds the
queue still empty. The person queueing looks again after their commit; a
minute sweep covers a process that died in between. (The sign-up's statements are
hot_path.sign_up; the cancellation is slipped in after them, before the commit.)
"""

import threading

import pytest
from django.db import connection
from django.db.models import F

from kuihua.activities.models import Activity, Signup
from kuihua.activities.signups import hot_path
from kuihua.activities.signups import services as signups
from kuihua.activities.tests.factories import ActivityFactory, assert_places_consistent, volunteer
from kuihua.core.tenancy import use_community
from kuihua.notifications.models import Message
from kuihua.organizations.tests.factories import OrganizationFactory


def _full_activity(community):
    organization = OrganizationFactory(community=community)
    activity = ActivityFactory(community=community, organization=organization, places=2)
    holders = [volunteer(organization) for _ in range(2)]
    made = [signups.signup_create(actor=p.account, activity=activity, resident=p) for p in holders]
    return organization, activity, made


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite lets one writer in at a time: nobody can cancel while someone queues",
)
def test_a_cancellation_committed_while_someone_queues_gives_them_the_place(community, monkeypatch):
    with use_community(community):
        organization, activity, (first, _second) = _full_activity(community)
        newcomer = volunteer(organization)
    real_sign_up = hot_path.sign_up

    def sign_up_while_someone_cancels(**kwargs):
        queued = real_sign_up(**kwargs)
        if queued.status == Signup.Status.WAITLISTED:
            # The activity was full. Another connection cancels now and commits,
            # before this sign-up commits: it sees nobody waiting.
            def cancel():
                try:
                    with use_community(community):
                        signups.signup_cancel(actor=first.resident.account, signup=first)
                finally:
                    connection.close()

            other = threading.Thread(target=cancel)
            other.start()
            other.join(timeout=30)
            assert not other.is_alive(), "the cancellation waited for the sign-up"
        return queued

    monkeypatch.setattr(hot_path, "sign_up", sign_up_while_someone_cancels)
    with use_community(community):
        signup = signups.signup_create(actor=newcomer.account, activity=activity, resident=newcomer)

        assert signup.status == Signup.Status.CONFIRMED
        assert Signup.objects.get(pk=first.pk).status == Signup.Status.CANCELLED
        assert Message.objects.filter(recipient=newcomer.account, kind="waitlist_promoted").exists()
        assert_places_consistent(activity)


@pytest.mark.django_db
def test_the_minute_sweep_fills_a_place_left_free_while_people_wait(in_community):
    organization, activity, (first, _second) = _full_activity(in_community)
    waiting = [volunteer(organization) for _ in range(2)]
    queued = [
        signups.signup_create(actor=p.account, activity=activity, resident=p) for p in waiting
    ]
    # What a crash between a queueing commit and its second look leaves: a
    # place freed by a cancellation that found nobody waiting yet.
    Signup.objects.filter(pk=first.pk).update(status=Signup.Status.CANCELLED)
    Activity.objects.filter(pk=activity.pk).update(places_taken=F("places_taken") - 1)

    assert signups.waitlists_fill() == 1
    assert signups.waitlists_fill() == 0  # nothing twice

    statuses = [Signup.objects.get(pk=s.pk).status for s in queued]
    assert statuses == [Signup.Status.CONFIRMED, Signup.Status.WAITLISTED]
    assert Message.objects.filter(recipient=waiting[0].account, kind="waitlist_promoted").exists()
    assert_places_consistent(activity)


@pytest.mark.django_db
def test_the_sweep_leaves_activities_without_a_limit_alone(in_community):
    organization, activity, (first, _second) = _full_activity(in_community)
    person = volunteer(organization)
    signups.signup_create(actor=person.account, activity=activity, resident=person)
    Signup.objects.filter(pk=first.pk).update(status=Signup.Status.CANCELLED)
    Activity.objects.filter(pk=activity.pk).update(places_taken=F("places_taken") - 1, places=None)

    assert signups.waitlists_fill() == 0
