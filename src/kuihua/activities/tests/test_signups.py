"""Sign-ups one at a time: places, the waitlist, promotion, offers and every refusal."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.activities.models import Activity, Signup
from kuihua.activities.signups import hot_path
from kuihua.activities.signups import services as signups
from kuihua.activities.signups.selectors import waitlist_position
from kuihua.activities.signups.services import SignupError
from kuihua.activities.tests.factories import (
    ActivityFactory,
    assert_places_consistent,
    volunteer,
)
from kuihua.core.models import AuditLog
from kuihua.core.tenancy import use_community
from kuihua.core.tests.clock import days_from_today
from kuihua.notifications.models import Message
from kuihua.organizations.tests.factories import OrganizationFactory
from kuihua.registry.models import Tag
from kuihua.registry.tests.factories import ResidentFactory
from kuihua.training.services import training_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def organization(in_community):
    return OrganizationFactory(community=in_community)


@pytest.fixture
def activity(organization):
    return ActivityFactory(community=organization.community, organization=organization, places=2)


def sign_up(activity, resident, actor=None):
    return signups.signup_create(
        actor=actor or resident.account, activity=activity, resident=resident
    )


def test_places_are_confirmed_until_full_then_people_queue_in_arrival_order(activity, organization):
    people = [volunteer(organization) for _ in range(4)]

    made = [sign_up(activity, person) for person in people]

    assert [s.status for s in made] == ["confirmed", "confirmed", "waitlisted", "waitlisted"]
    assert [waitlist_position(s) for s in made] == [None, None, 1, 2]
    activity.refresh_from_db()
    assert activity.places_taken == 2
    assert_places_consistent(activity)


def test_a_cancellation_promotes_the_first_waiting_person_at_once_and_tells_them(
    activity, organization
):
    first, second, waiting, later = (volunteer(organization) for _ in range(4))
    confirmed = sign_up(activity, first)
    sign_up(activity, second)
    queued = sign_up(activity, waiting)
    last = sign_up(activity, later)

    signups.signup_cancel(actor=first.account, signup=confirmed)

    queued.refresh_from_db()
    last.refresh_from_db()
    assert queued.status == Signup.Status.CONFIRMED
    assert waitlist_position(last) == 1
    message = Message.objects.get(recipient=waiting.account)
    assert "候补转正" in message.title
    assert str(activity.pk) in message.link
    assert not Message.objects.filter(recipient=later.account).exists()
    assert_places_consistent(activity)


def test_cancelling_a_waitlisted_sign_up_promotes_nobody(activity, organization):
    people = [volunteer(organization) for _ in range(4)]
    made = [sign_up(activity, p) for p in people]

    signups.signup_cancel(actor=people[2].account, signup=made[2])

    made[3].refresh_from_db()
    assert made[3].status == Signup.Status.WAITLISTED
    assert waitlist_position(made[3]) == 1
    assert_places_consistent(activity)


def test_a_cancelled_sign_up_cannot_be_cancelled_again(activity, organization):
    person = volunteer(organization)
    signup = sign_up(activity, person)
    signups.signup_cancel(actor=person.account, signup=signup)

    with pytest.raises(SignupError, match="已取消"):
        signups.signup_cancel(actor=person.account, signup=signup)
    assert_places_consistent(activity)


def test_a_promoted_person_must_accept_within_the_hours_set_or_the_place_passes_on(
    activity, organization
):
    activity.confirm_within_hours = 2
    activity.save()
    first, second, waiting, next_in_line = (volunteer(organization) for _ in range(4))
    gone = sign_up(activity, first)
    sign_up(activity, second)
    offered = sign_up(activity, waiting)
    queued = sign_up(activity, next_in_line)

    signups.signup_cancel(actor=first.account, signup=gone)

    offered.refresh_from_db()
    assert offered.status == Signup.Status.OFFERED
    assert offered.offer_expires_at > timezone.now() + dt.timedelta(minutes=119)
    assert_places_consistent(activity)  # the offered person holds the place

    later = offered.offer_expires_at + dt.timedelta(seconds=1)
    assert signups.offers_expire(now=later) == 1
    assert signups.offers_expire(now=later) == 0  # idempotent

    offered.refresh_from_db()
    queued.refresh_from_db()
    assert offered.status == Signup.Status.CANCELLED
    assert queued.status == Signup.Status.OFFERED
    assert Message.objects.filter(recipient=waiting.account, kind="waitlist_offer_expired")
    assert_places_consistent(activity)


def test_an_offer_accepted_in_time_is_confirmed(activity, organization):
    activity.confirm_within_hours = 24
    activity.save()
    first, second, waiting = (volunteer(organization) for _ in range(3))
    gone = sign_up(activity, first)
    sign_up(activity, second)
    offered = sign_up(activity, waiting)
    signups.signup_cancel(actor=first.account, signup=gone)

    accepted = signups.offer_accept(actor=waiting.account, signup=offered)

    assert accepted.status == Signup.Status.CONFIRMED
    assert signups.offers_expire(now=timezone.now() + dt.timedelta(days=2)) == 0
    assert_places_consistent(activity)
    with pytest.raises(SignupError, match="没有待确认"):
        signups.offer_accept(actor=waiting.account, signup=offered)


def test_an_offer_cannot_be_accepted_after_it_ran_out(activity, organization):
    activity.confirm_within_hours = 1
    activity.save()
    first, second, waiting = (volunteer(organization) for _ in range(3))
    gone = sign_up(activity, first)
    sign_up(activity, second)
    offered = sign_up(activity, waiting)
    signups.signup_cancel(actor=first.account, signup=gone)
    Signup.objects.filter(pk=offered.pk).update(
        offer_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )

    with pytest.raises(SignupError, match="确认时间已过"):
        signups.offer_accept(actor=waiting.account, signup=offered)


def test_one_live_sign_up_per_person_but_again_after_cancelling(activity, organization):
    person = volunteer(organization)
    first = sign_up(activity, person)

    with pytest.raises(SignupError, match="不能重复报名"):
        sign_up(activity, person)

    signups.signup_cancel(actor=person.account, signup=first)
    again = sign_up(activity, person)
    assert again.status == Signup.Status.CONFIRMED
    assert_places_consistent(activity)


def test_the_unique_constraint_has_the_last_word_and_the_place_is_given_back(
    activity, organization, monkeypatch
):
    person = volunteer(organization)
    sign_up(activity, person)
    # As if a simultaneous request had passed the check before this one inserted:
    # the check looks for no status at all.
    monkeypatch.setattr(hot_path, "LIVE", ("-", "-", "-"))

    with pytest.raises(SignupError, match="不能重复报名"):
        sign_up(activity, person)

    activity.refresh_from_db()
    assert activity.places_taken == 1
    assert_places_consistent(activity)


def test_a_clash_with_an_overlapping_sign_up_names_the_other_activity(activity, organization):
    person = volunteer(organization)
    other = ActivityFactory(
        community=activity.community,
        organization=organization,
        title="敬老院探访",
        starts_at=activity.starts_at + dt.timedelta(hours=1),
        ends_at=activity.ends_at + dt.timedelta(hours=1),
    )
    sign_up(other, person)

    with pytest.raises(SignupError, match=r"时间冲突.*敬老院探访"):
        sign_up(activity, person)
    assert not Signup.objects.filter(activity=activity).exists()


def test_back_to_back_shifts_and_cancelled_ones_do_not_clash(activity, organization):
    person = volunteer(organization)
    after = ActivityFactory(
        community=activity.community,
        organization=organization,
        starts_at=activity.ends_at,
        ends_at=activity.ends_at + dt.timedelta(hours=2),
    )
    overlapping = ActivityFactory(
        community=activity.community,
        organization=organization,
        starts_at=activity.starts_at,
        ends_at=activity.ends_at,
    )
    first = sign_up(activity, person)
    sign_up(after, person)
    signups.signup_cancel(actor=person.account, signup=first)

    assert sign_up(overlapping, person).status == Signup.Status.CONFIRMED


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda now: {"status": Activity.Status.DRAFT}, "尚未发布"),
        (lambda now: {"status": Activity.Status.CANCELLED}, "已取消"),
        (lambda now: {"signup_opens_at": now + dt.timedelta(hours=1)}, "尚未开始"),
        (lambda now: {"signup_closes_at": now - dt.timedelta(minutes=1)}, "已截止"),
    ],
    ids=["draft", "cancelled", "not-yet-open", "closed"],
)
def test_sign_ups_outside_the_window_or_to_an_unpublished_activity_are_refused(
    activity, organization, change, message
):
    # The times are taken inside the test, on its clock, not when the module is read.
    Activity.objects.filter(pk=activity.pk).update(**change(timezone.now()))
    activity.refresh_from_db()

    with pytest.raises(SignupError, match=message):
        sign_up(activity, volunteer(organization))
    assert not Signup.objects.exists()


def test_sign_ups_close_when_the_activity_starts(activity, organization):
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=5)
    )
    activity.refresh_from_db()

    with pytest.raises(SignupError, match="已截止"):
        sign_up(activity, volunteer(organization))


def test_who_may_sign_up_follows_the_audience(activity, organization, community):
    member = volunteer(organization)
    other_org_member = volunteer(OrganizationFactory(community=community))
    resident = ResidentFactory(household__building__compound__community=community)
    account_volunteer = ResidentFactory(household__building__compound__community=community)
    UserFactory(role=Role.VOLUNTEER, community=community, resident=account_volunteer)
    activity.places = None
    activity.audience = Activity.Audience.MEMBERS
    activity.save()

    sign_up(activity, member)
    with pytest.raises(SignupError, match="仅限本组织志愿者"):
        sign_up(activity, other_org_member)

    activity.audience = Activity.Audience.VOLUNTEERS
    activity.save()
    sign_up(activity, other_org_member)
    sign_up(activity, account_volunteer)
    with pytest.raises(SignupError, match="仅限志愿者"):
        sign_up(activity, resident, actor=member.account)

    activity.audience = Activity.Audience.RESIDENTS
    activity.save()
    assert sign_up(activity, resident, actor=member.account).status == "confirmed"


def test_age_limits_are_checked_on_the_day_of_the_activity(activity, organization):
    day = timezone.localtime(activity.starts_at).date()
    too_young = volunteer(organization, birth_date=day.replace(year=day.year - 18))
    just_old_enough = volunteer(
        organization, birth_date=day.replace(year=day.year - 18) - dt.timedelta(days=1)
    )
    no_birth_date = volunteer(organization, birth_date=None, id_number="")
    activity.min_age = 18
    activity.max_age = 70
    activity.save()

    # 18 on the day itself counts as 18
    assert sign_up(activity, too_young).status == "confirmed"
    assert sign_up(activity, just_old_enough).status == "confirmed"
    with pytest.raises(SignupError, match="出生日期"):
        sign_up(activity, no_birth_date)
    activity.min_age = 19
    activity.save()
    with pytest.raises(SignupError, match="年满 19 岁"):
        sign_up(activity, volunteer(organization, birth_date=day.replace(year=day.year - 18)))
    with pytest.raises(SignupError, match="不超过 70 岁"):
        sign_up(activity, volunteer(organization, birth_date=dt.date(1940, 1, 1)))


def test_a_required_skill_is_one_of_the_persons_tags(activity, organization, community):
    first_aid = Tag.objects.create(community=community, code="first_aid", name="急救")
    skilled = volunteer(organization)
    skilled.tags.add(first_aid)
    activity.required_skill = "急救"
    activity.save()

    assert sign_up(activity, skilled).status == "confirmed"
    with pytest.raises(SignupError, match="需要技能：急救"):
        sign_up(activity, volunteer(organization))


def test_an_untrained_volunteer_is_told_which_training_to_complete_then_signs_up(
    activity, organization, coordinator
):
    activity.required_training = "探访培训"
    activity.save()
    person = volunteer(organization)

    with pytest.raises(SignupError, match="报名需先完成「探访培训」") as refused:
        sign_up(activity, person)
    training_record(
        actor=coordinator, user=person.account, course="探访培训", completed_on=days_from_today(-2)
    )

    assert refused.value.field == "resident"
    assert sign_up(activity, person).status == "confirmed"


def test_another_course_or_another_communitys_training_does_not_count(
    activity, organization, community, other_community
):
    activity.required_training = "探访培训"
    activity.save()
    other_course, elsewhere = volunteer(organization), volunteer(organization)
    training_record(
        actor=None, user=other_course.account, course="急救培训", completed_on=days_from_today(-2)
    )
    with use_community(other_community):
        training_record(
            actor=None, user=elsewhere.account, course="探访培训", completed_on=days_from_today(-2)
        )

    for person in (other_course, elsewhere):
        with pytest.raises(SignupError, match="探访培训"):
            sign_up(activity, person)
    assert not Signup.objects.exists()


def test_an_organizer_signing_someone_up_is_held_to_the_same_training(
    activity, organization, coordinator
):
    activity.required_training = "探访培训"
    activity.save()
    person = volunteer(organization)

    with pytest.raises(SignupError, match="探访培训"):
        sign_up(activity, person, actor=coordinator)
    training_record(
        actor=coordinator, user=person.account, course="探访培训", completed_on=days_from_today(-2)
    )

    assert sign_up(activity, person, actor=coordinator).status == "confirmed"


def test_training_costs_one_query_and_only_when_the_activity_requires_it(activity, organization):
    person = volunteer(organization)
    account = person.account
    no_training = signups.eligibility_problem(activity=activity, resident=person, actor=account)
    queries_without = _queries(activity, person, account)
    activity.required_training = "探访培训"

    queries_with = _queries(activity, person, account)

    assert no_training is None
    assert queries_with == queries_without + 1


def _queries(activity, person, account) -> int:
    with CaptureQueriesContext(connection) as captured:
        signups.eligibility_problem(activity=activity, resident=person, actor=account)
    return len(captured)


def test_an_unlimited_activity_confirms_everyone_and_counts_them(activity, organization):
    activity.places = None
    activity.save()

    made = [sign_up(activity, volunteer(organization)) for _ in range(5)]

    assert {s.status for s in made} == {"confirmed"}
    activity.refresh_from_db()
    assert activity.places_taken == 5
    signups.signup_cancel(actor=made[0].resident.account, signup=made[0])
    assert_places_consistent(activity)


def test_more_places_move_the_waitlist_up(activity, organization, coordinator):
    made = [sign_up(activity, volunteer(organization)) for _ in range(5)]
    Activity.objects.filter(pk=activity.pk).update(places=4)

    promoted = signups.waitlist_promote(actor=coordinator, activity=activity)

    assert [p.pk for p in promoted] == [made[2].pk, made[3].pk]
    made[4].refresh_from_db()
    assert waitlist_position(made[4]) == 1
    assert_places_consistent(activity)


def test_cancelling_after_the_start_is_refused(activity, organization):
    person = volunteer(organization)
    signup = sign_up(activity, person)
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=timezone.now() - dt.timedelta(minutes=1)
    )

    with pytest.raises(SignupError, match="已开始"):
        signups.signup_cancel(actor=person.account, signup=signup)


def test_sign_ups_cancellations_and_promotions_are_audited(activity, organization):
    people = [volunteer(organization) for _ in range(3)]
    made = [sign_up(activity, p) for p in people]

    signups.signup_cancel(actor=people[0].account, signup=made[0])

    actions = list(
        AuditLog.objects.filter(object_type="activities.signup")
        .order_by("id")
        .values_list("action", "object_id")
    )
    assert actions == [
        ("signup.create", made[0].pk),
        ("signup.create", made[1].pk),
        ("signup.create", made[2].pk),
        ("signup.cancel", made[0].pk),
        ("signup.promote", made[2].pk),
    ]


def test_may_sign_up_tells_pages_whether_to_offer_the_button(activity, organization, community):
    member = volunteer(organization)
    plain = ResidentFactory(household__building__compound__community=community)
    plain_user = UserFactory(role=Role.RESIDENT, community=community, resident=plain)

    assert member.account.has_perm("activities.sign_up", activity)
    assert not plain_user.has_perm("activities.sign_up", activity)
    Activity.objects.filter(pk=activity.pk).update(status=Activity.Status.DRAFT)
    activity.refresh_from_db()
    assert not member.account.has_perm("activities.sign_up", activity)


class TestACancelledActivity:
    def test_holds_nobodys_time_and_moves_nobody_up(self, organization, activity, coordinator):
        from kuihua.activities import services

        first, second, waiting = (volunteer(organization) for _ in range(3))
        for person in (first, second, waiting):
            sign_up(activity, person)
        services.activity_cancel(actor=coordinator, activity=activity, reason="下雨")
        same_time = ActivityFactory(
            community=organization.community,
            organization=organization,
            starts_at=activity.starts_at,
            ends_at=activity.ends_at,
        )

        signups.signup_cancel(
            actor=coordinator, signup=Signup.objects.get(activity=activity, resident=first)
        )
        again = sign_up(same_time, first)

        assert again.status == Signup.Status.CONFIRMED
        assert Signup.objects.get(activity=activity, resident=waiting).status == "waitlisted"
        assert not Message.objects.filter(title__startswith="候补转正").exists()

    def test_can_be_cancelled_after_its_room_was_given_back(self, organization, coordinator):
        from kuihua.activities import services
        from kuihua.venues import services as venue_services
        from kuihua.venues.models import Room

        room = Room.objects.create(name="书画室", capacity=20)
        start = timezone.now().replace(microsecond=0) + dt.timedelta(days=3)
        activity = services.activity_create(
            actor=coordinator,
            organization=organization,
            title="书法课",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
            room=room,
        )
        # The calendar refuses this now; rows from before it did may still be so.
        venue_services.booking_cancel(actor=coordinator, booking=activity.booking, by_activity=True)

        services.activity_cancel(actor=coordinator, activity=activity, reason="老师生病")

        activity.refresh_from_db()
        assert activity.status == Activity.Status.CANCELLED
