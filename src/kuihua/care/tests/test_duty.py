"""The month's rota stored, shifts nobody could take reported, swaps, who is on duty."""

import calendar
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import timezone

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.care import duty
from kuihua.care.models import DutyPreference, DutyShift
from kuihua.care.services import CareError

pytestmark = pytest.mark.django_db


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


@pytest.fixture
def month() -> dt.date:
    """The first of next month on the test's clock: the month whose rota is made."""
    return _next_month(timezone.localdate())


@pytest.fixture
def volunteers(in_community, month):
    people = []
    for k in range(12):
        user = UserFactory(role=Role.VOLUNTEER, community=in_community, username=f"duty{k}")
        DutyPreference.objects.create(
            user=user,
            max_shifts_per_month=8,
            max_consecutive_days=3,
            unavailable=[str(month.replace(day=15))] if k < 6 else [],
        )
        people.append(user)
    return people


def test_a_month_is_stored_with_every_shift_held(coordinator, volunteers, month):
    shifts, left = duty.rota_generate(actor=coordinator, year=month.year, month=month.month)
    days = calendar.monthrange(month.year, month.month)[1]

    assert left == []
    assert len(shifts) == days * 2
    assert not DutyShift.objects.filter(user__isnull=True).exists()
    away = {v.pk for v in volunteers[:6]}
    on_the_15th = DutyShift.objects.filter(day=month.replace(day=15)).values_list("user", flat=True)
    assert not away & set(on_the_15th)
    # generating again replaces the month, never doubles it
    duty.rota_generate(actor=coordinator, year=month.year, month=month.month)
    assert DutyShift.objects.count() == days * 2


def test_shifts_nobody_can_take_are_left_open_with_the_reason(in_community, coordinator, month):
    user = UserFactory(role=Role.VOLUNTEER, community=in_community)
    DutyPreference.objects.create(user=user, max_shifts_per_month=4, max_consecutive_days=2)

    _shifts, left = duty.rota_generate(actor=coordinator, year=month.year, month=month.month)

    assert len(left) == calendar.monthrange(month.year, month.month)[1] * 2 - 4
    assert {item["reason"] for item in left} == {"能值班的人已达到每月或连续天数上限"}


def test_a_swap_is_asked_by_the_holder_and_approved_by_a_coordinator(
    coordinator, volunteers, month
):
    duty.rota_generate(actor=coordinator, year=month.year, month=month.month)
    shift = DutyShift.objects.order_by("day", "index").first()
    holder = shift.user
    busy_that_day = set(DutyShift.objects.filter(day=shift.day).values_list("user_id", flat=True))
    taker = next(v for v in volunteers if v.pk not in busy_that_day)

    with pytest.raises(CareError, match="自己的班次"):
        duty.swap_request(actor=taker, shift=shift, to_user=taker)
    swap = duty.swap_request(actor=holder, shift=shift, to_user=taker)
    duty.swap_decide(actor=coordinator, swap=swap, approve=True)

    shift.refresh_from_db()
    assert shift.user == taker
    with pytest.raises(CareError, match="已处理"):
        duty.swap_decide(actor=coordinator, swap=swap, approve=False)


def test_the_holder_of_the_current_shift_is_on_duty_else_the_coordinators(
    in_community, coordinator, volunteers, month
):
    duty.rota_generate(actor=coordinator, year=month.year, month=month.month)
    zone = ZoneInfo(settings.TIME_ZONE)
    day = month.replace(day=20)
    shift = DutyShift.objects.get(day=day, index=1)  # 14:00–20:00

    at_three = dt.datetime.combine(day, dt.time(15), tzinfo=zone)
    at_night = dt.datetime.combine(day, dt.time(22), tzinfo=zone)

    assert duty.on_duty_now(in_community.pk, now=at_three) == [shift.user]
    assert duty.on_duty_now(in_community.pk, now=at_night) == [coordinator]


def test_runs_of_days_are_kept_across_the_turn_of_the_month(coordinator, volunteers, month):
    after = _next_month(month)
    duty.rota_generate(actor=coordinator, year=month.year, month=month.month)
    duty.rota_generate(actor=coordinator, year=after.year, month=after.month)

    for volunteer in volunteers:
        held = set(DutyShift.objects.filter(user=volunteer).values_list("day", flat=True))
        for start in held:
            run = [start + dt.timedelta(days=i) for i in range(4)]
            assert not all(day in held for day in run), (volunteer.username, start)
