"""The sign-ups API: signing up, cancelling, offers, lists, rate limits, the error shape."""

import datetime as dt

import pytest
from django.core.cache import cache

from kuihua.accounts.models import ApiToken, Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.activities.models import Signup
from kuihua.activities.signups import services as signups
from kuihua.activities.tests.factories import (
    ActivityFactory,
    assert_places_consistent,
    volunteer,
)
from kuihua.core.tenancy import use_community
from kuihua.core.tests.clock import days_from_today
from kuihua.organizations.models import Membership
from kuihua.organizations.tests.factories import OrganizationFactory
from kuihua.registry.tests.factories import ResidentFactory
from kuihua.training.services import training_record

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def organization(in_community):
    return OrganizationFactory(community=in_community)


@pytest.fixture
def activity(organization):
    return ActivityFactory(
        community=organization.community, organization=organization, places=1, title="清洁家园"
    )


@pytest.fixture
def leader(organization, community):
    resident = volunteer(organization, account=False)
    Membership.objects.filter(resident=resident).update(role=Membership.Role.LEADER)
    return UserFactory(role=Role.ORG_LEADER, community=community, resident=resident)


def post_signup(client, activity, **body):
    return client.post(
        f"/api/activities/{activity.pk}/signups", data=body, content_type="application/json"
    )


def test_a_volunteer_signs_up_in_one_request_and_the_next_one_queues(
    client, activity, organization
):
    first, second = volunteer(organization), volunteer(organization)

    client.force_login(first.account)
    confirmed = client.generic("POST", f"/api/activities/{activity.pk}/signups")  # no body
    client.force_login(second.account)
    queued = post_signup(client, activity)

    assert confirmed.status_code == 201, confirmed.json()
    assert confirmed.json()["status"] == "confirmed"
    assert confirmed.json()["activity_title"] == "清洁家园"
    assert queued.status_code == 201
    assert queued.json()["status"] == "waitlisted"
    assert queued.json()["status_label"] == "候补"
    assert queued.json()["waitlist_position"] == 1


def test_signing_up_twice_is_a_400_in_the_uniform_shape(client, activity, organization):
    person = volunteer(organization)
    client.force_login(person.account)
    post_signup(client, activity)

    response = post_signup(client, activity)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "rejected"
    assert body["message"] == "已报名该活动，不能重复报名"
    assert body["errors"] == [{"field": "activity", "message": body["message"]}]


def test_an_untrained_volunteer_gets_a_400_naming_the_training_then_signs_up_once_trained(
    client, activity, organization, coordinator
):
    activity.required_training = "探访培训"
    activity.save()
    person = volunteer(organization)
    client.force_login(person.account)

    refused = post_signup(client, activity)
    english = client.post(
        f"/api/activities/{activity.pk}/signups",
        content_type="application/json",
        headers={"accept-language": "en"},
    )
    training_record(
        actor=coordinator, user=person.account, course="探访培训", completed_on=days_from_today(-1)
    )
    accepted = post_signup(client, activity)

    assert refused.status_code == 400
    assert refused.json()["message"] == "报名需先完成「探访培训」"
    assert refused.json()["errors"] == [
        {"field": "resident", "message": "报名需先完成「探访培训」"}
    ]
    assert english.json()["message"] == "Complete the training “探访培训” before signing up"
    assert accepted.status_code == 201, accepted.json()
    assert accepted.json()["status"] == "confirmed"


def test_an_activity_shows_the_training_it_requires(client, activity, organization):
    activity.required_training = "探访培训"
    activity.save()
    client.force_login(volunteer(organization).account)

    body = client.get(f"/api/activities/{activity.pk}").json()

    assert body["required_training"] == "探访培训"
    assert body["requires_training"] is True


def test_an_account_without_a_registry_record_cannot_sign_up(client, activity, community):
    client.force_login(UserFactory(role=Role.VOLUNTEER, community=community))

    response = post_signup(client, activity)

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "resident_id"


def test_an_organizer_signs_up_someone_offline_but_a_volunteer_cannot(
    client, activity, organization, leader, community
):
    neighbour = volunteer(organization, account=False)
    someone = volunteer(organization)

    client.force_login(someone.account)
    refused = post_signup(client, activity, resident_id=neighbour.pk)
    client.force_login(leader)
    done = post_signup(client, activity, resident_id=neighbour.pk)

    assert refused.status_code == 403
    assert done.status_code == 201
    signup = Signup.objects.get(pk=done.json()["id"])
    assert signup.resident == neighbour
    assert signup.signed_up_by == leader


def test_a_resident_the_organizer_cannot_see_is_a_field_error(client, activity, leader, community):
    stranger = ResidentFactory(household__building__compound__community=community)
    client.force_login(leader)

    response = post_signup(client, activity, resident_id=stranger.pk)

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "resident_id"


def test_cancelling_ones_own_sign_up_promotes_the_next_in_line(client, activity, organization):
    first, second = volunteer(organization), volunteer(organization)
    gone = signups.signup_create(actor=first.account, activity=activity, resident=first)
    waiting = signups.signup_create(actor=second.account, activity=activity, resident=second)

    client.force_login(second.account)
    not_theirs = client.delete(f"/api/activities/signups/{gone.pk}")
    client.force_login(first.account)
    cancelled = client.delete(f"/api/activities/signups/{gone.pk}")

    assert not_theirs.status_code == 404
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    waiting.refresh_from_db()
    assert waiting.status == "confirmed"
    assert_places_consistent(activity)


def test_the_organizer_may_cancel_anyones_sign_up(client, activity, organization, leader):
    person = volunteer(organization)
    signup = signups.signup_create(actor=person.account, activity=activity, resident=person)
    client.force_login(leader)

    response = client.delete(f"/api/activities/signups/{signup.pk}")

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"


def test_an_offered_place_is_accepted_by_its_person_only(client, activity, organization, leader):
    activity.confirm_within_hours = 12
    activity.save()
    first, second = volunteer(organization), volunteer(organization)
    gone = signups.signup_create(actor=first.account, activity=activity, resident=first)
    offered = signups.signup_create(actor=second.account, activity=activity, resident=second)
    signups.signup_cancel(actor=first.account, signup=gone)

    client.force_login(leader)
    by_leader = client.post(f"/api/activities/signups/{offered.pk}/accept")
    client.force_login(second.account)
    mine = client.get("/api/me/signups").json()["items"][0]
    accepted = client.post(f"/api/activities/signups/{offered.pk}/accept")
    again = client.post(f"/api/activities/signups/{offered.pk}/accept")

    assert by_leader.status_code == 404
    assert mine["status"] == "offered"
    assert mine["offer_expires_at"] is not None
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "confirmed"
    assert again.status_code == 400


def test_the_organizer_sees_the_list_with_positions_and_masked_phones(
    client, activity, organization, leader
):
    people = [volunteer(organization, phone=f"1391234{i:04d}") for i in range(3)]
    for person in people:
        signups.signup_create(actor=person.account, activity=activity, resident=person)
    client.force_login(leader)

    response = client.get(f"/api/activities/{activity.pk}/signups")

    assert response.status_code == 200
    items = response.json()["items"]
    assert [i["name"] for i in items] == [p.name for p in people]
    assert [i["status"] for i in items] == ["confirmed", "waitlisted", "waitlisted"]
    assert [i["waitlist_position"] for i in items] == [None, 1, 2]
    assert items[0]["phone"] == "139****0000"


def test_a_volunteer_does_not_see_the_list_of_others(client, activity, organization):
    client.force_login(volunteer(organization).account)

    response = client.get(f"/api/activities/{activity.pk}/signups")

    assert response.status_code == 404


def test_the_list_takes_a_constant_number_of_queries(
    client, activity, organization, leader, django_assert_max_num_queries
):
    for _ in range(3):
        person = volunteer(organization)
        signups.signup_create(actor=person.account, activity=activity, resident=person)
    client.force_login(leader)
    with django_assert_max_num_queries(12) as few:
        client.get(f"/api/activities/{activity.pk}/signups")
    for _ in range(10):
        person = volunteer(organization)
        signups.signup_create(actor=person.account, activity=activity, resident=person)

    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(f"/api/activities/{activity.pk}/signups")


def test_my_sign_ups_show_my_place_in_each_queue(client, activity, organization):
    other = ActivityFactory(
        community=activity.community,
        organization=organization,
        starts_at=activity.ends_at,
        ends_at=activity.ends_at + dt.timedelta(hours=1),
    )
    ahead, me = volunteer(organization), volunteer(organization)
    signups.signup_create(actor=ahead.account, activity=activity, resident=ahead)
    signups.signup_create(actor=me.account, activity=activity, resident=me)
    signups.signup_create(actor=me.account, activity=other, resident=me)
    client.force_login(me.account)

    items = client.get("/api/me/signups").json()["items"]

    positions = {i["activity_id"]: (i["status"], i["waitlist_position"]) for i in items}
    assert positions == {activity.pk: ("waitlisted", 1), other.pk: ("confirmed", None)}


def test_a_flood_from_one_person_gets_429_in_the_uniform_shape(client, organization, settings):
    settings.KUIHUA_SIGNUP_RATE = "3/m"
    person = volunteer(organization)
    _token, plain = ApiToken.issue(user=person.account, name="phone")
    headers = {"Authorization": f"Bearer {plain}"}
    activities = [
        ActivityFactory(community=organization.community, organization=organization)
        for _ in range(4)
    ]

    statuses = [
        client.post(
            f"/api/activities/{a.pk}/signups", {}, "application/json", headers=headers
        ).status_code
        for a in activities
    ]

    # the first succeeds, the next two clash in time (400), the fourth is throttled
    assert statuses[:3] == [201, 400, 400]
    throttled = client.post(
        f"/api/activities/{activities[3].pk}/signups", {}, "application/json", headers=headers
    )
    assert statuses[3] == 429
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "throttled"
    assert throttled.json()["message"] == "请求过于频繁，请稍后再试"
    assert "Retry-After" in throttled


def test_the_overall_rate_limit_throttles_everybody_together(client, organization, settings):
    settings.KUIHUA_SIGNUP_RATE_GLOBAL = "2/m"
    activity = ActivityFactory(community=organization.community, organization=organization)
    statuses = []
    for _ in range(3):
        client.force_login(volunteer(organization).account)
        statuses.append(post_signup(client, activity).status_code)

    assert statuses == [201, 201, 429]


def test_another_communitys_activity_is_404(client, other_community, organization):
    with use_community(other_community):
        theirs = ActivityFactory(community=other_community)
    client.force_login(volunteer(organization).account)

    assert post_signup(client, theirs).status_code == 404
    assert client.get(f"/api/activities/{theirs.pk}/signups").status_code == 404


def test_a_deputy_with_a_volunteer_account_manages_sign_ups_like_the_pages_let_them(
    client, community
):
    from kuihua.activities.tests.factories import ActivityFactory, SignupFactory
    from kuihua.core.tenancy import use_community
    from kuihua.organizations.tests.factories import MembershipFactory

    with use_community(community):
        deputy = MembershipFactory(organization__community=community, role="deputy")
        activity = ActivityFactory(
            community=community, organization=deputy.organization, status="draft"
        )
        signup = SignupFactory(activity=activity)
    user = UserFactory(role=Role.VOLUNTEER, community=community, resident=deputy.resident)
    client.force_login(user)

    listed = client.get(f"/api/activities/{activity.pk}/signups")
    cancelled = client.delete(f"/api/activities/signups/{signup.pk}")

    assert listed.status_code == 200
    assert [s["id"] for s in listed.json()["items"]] == [signup.pk]
    assert cancelled.status_code == 200
