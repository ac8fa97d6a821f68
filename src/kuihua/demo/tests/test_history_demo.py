"""The demo writes a year of history, so that every dashboard figure has something
to show for each month: attendances, verified hours, delivered services, care
check-ins and the alerts of missed windows, bills and payments, votes, market days."""

import datetime as dt

import pytest
from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone

from kuihua.activities.models import Attendance
from kuihua.care.models import Alert, CareRecipient, CheckIn
from kuihua.core.tenancy import use_community
from kuihua.council.models import Vote
from kuihua.demo.tests.clock import demo_clock
from kuihua.demo.write import generate_community
from kuihua.market.models import MarketDay
from kuihua.matching.models import Need, NeedEvent, ProviderType, ServiceDelivery
from kuihua.service_records.models import ServiceRecord
from kuihua.stewards.models import Payment

pytestmark = pytest.mark.django_db

SCALE = 0.05


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One demo community for the module, rolled back at the end (posted entries
    cannot be deleted, so it cannot be flushed)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with demo_clock():
                community = generate_community(index=1, scale=SCALE)
                yield community, timezone.localdate()
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def _months(today: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
    """The twelve 30-day stretches before today, as aware datetimes (newest first)."""
    midnight = timezone.make_aware(dt.datetime.combine(today, dt.time()))
    return [
        (midnight - dt.timedelta(days=30 * (k + 1)), midnight - dt.timedelta(days=30 * k))
        for k in range(12)
    ]


def test_every_month_of_the_past_year_has_attendances_hours_and_payments(demo):
    community, today = demo
    with use_community(community):
        for start, end in _months(today):
            attended = Attendance.objects.filter(
                checked_in_at__gte=start, checked_in_at__lt=end, no_show=False
            )
            assert attended.exists(), start
            hours = ServiceRecord.objects.filter(
                status=ServiceRecord.Status.VERIFIED,
                date__gte=timezone.localdate(start),
                date__lt=timezone.localdate(end),
            )
            assert hours.exists(), start
        # the compounds' fees are billed and paid month by month
        for back in range(1, 12):
            first = today.replace(day=1) - relativedelta(months=back)
            paid = Payment.objects.filter(
                received_on__gte=first, received_on__lt=first + relativedelta(months=1)
            )
            assert paid.exists(), first


def test_a_year_of_delivered_services_by_organizations_and_others(demo):
    community, today = demo
    with use_community(community):
        for start, end in _months(today):
            month = ServiceDelivery.objects.filter(delivered_at__gte=start, delivered_at__lt=end)
            assert month.exists(), start
        year = ServiceDelivery.objects.filter(delivered_at__gte=_months(today)[-1][0])
        # by social organizations and by the others (a small community has few
        # organizations; at full scale they deliver most)
        providers = set(year.values_list("provider_type", flat=True))
        assert ProviderType.ORGANIZATION in providers and len(providers) >= 2
        # each done need of the past year went open → matched → done, in that order
        done = Need.objects.filter(status__in=[Need.Status.DONE, Need.Status.RATED])
        need = done.order_by("id").first()
        steps = list(NeedEvent.objects.filter(need=need).order_by("at"))
        assert [s.status for s in steps[:2]] == [Need.Status.OPEN, Need.Status.MATCHED]
        assert need.deliveries.exists()
        assert max(d.delivered_at for d in need.deliveries.all()) < timezone.now()


def test_care_check_ins_twice_a_day_over_the_year_and_missed_windows_handled(demo):
    community, today = demo
    with use_community(community):
        for start, end in _months(today):
            watched = CareRecipient.objects.filter(enrolled_at__lt=start).count()
            check_ins = CheckIn.objects.filter(at__gte=start, at__lt=end).count()
            # two windows a day, nearly all checked in
            assert check_ins >= 0.9 * 2 * 30 * watched, start
        assert CheckIn.objects.filter(at__lt=_months(today)[-1][0] + dt.timedelta(days=1)).exists()
        past = Alert.objects.filter(raised_at__lt=_months(today)[0][1])
        assert past.exists()
        # every alert of the past was acknowledged and closed, never left open
        assert not past.filter(resolved_at__isnull=True).exists()
        assert not CheckIn.objects.filter(at__gt=timezone.now()).exists()
        # the routine windows are the elders' own taps: visits and calls, which count as
        # person-times, stay the few of the flagship project and of the missed windows
        year = CheckIn.objects.filter(at__gte=_months(today)[-1][0], at__lt=_months(today)[0][1])
        contacts = year.exclude(channel=CheckIn.Channel.SELF).count()
        assert 0 < contacts < 0.2 * year.count()


def test_votes_and_market_days_in_the_past_year(demo):
    community, today = demo
    with use_community(community):
        assert Vote.objects.count() >= 3
        days = MarketDay.objects.filter(date__gte=today - dt.timedelta(days=366), date__lt=today)
        assert days.count() >= 11
