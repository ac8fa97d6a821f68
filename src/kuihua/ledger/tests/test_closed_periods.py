"""A closed month reopened behind the services' back shows in the books check.

`Ledger.closed_through` has no trigger of its own: a plain queryset update can move it
back, and the database then accepts entries dated in the closed month. The check
finds both: the close's recorded chain hash says which entries came after it.
"""

import datetime as dt

import pytest
from django.utils import timezone

from kuihua.ledger import services
from kuihua.ledger.models import Ledger
from kuihua.ledger.selectors import books_check

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(in_community):
    return services.ledger_open(name="红旗新村 收支账", kind=Ledger.Kind.COMPOUND)


def post(ledger, actor, *, date, amount=1000):
    return services.entry_post(
        ledger=ledger,
        date=date,
        memo="楼道保洁",
        legs=[
            (services.account(ledger, "5001"), amount),
            (services.account(ledger, "1001"), -amount),
        ],
        actor=actor,
    )


def last_month_end() -> dt.date:
    return timezone.localdate().replace(day=1) - dt.timedelta(days=1)


def test_entries_before_and_after_a_close_in_open_months_check_out(ledger, coordinator):
    post(ledger, coordinator, date=last_month_end())
    services.period_close(ledger=ledger, month=last_month_end(), actor=coordinator)
    post(ledger, coordinator, date=timezone.localdate())

    assert books_check(ledger).ok


def test_a_month_closed_on_an_empty_ledger_checks_out_until_something_is_dated_in_it(
    ledger, coordinator
):
    services.period_close(ledger=ledger, month=last_month_end(), actor=coordinator)
    post(ledger, coordinator, date=timezone.localdate())
    assert books_check(ledger).ok

    Ledger.objects.filter(pk=ledger.pk).update(closed_through=None)
    ledger.refresh_from_db()
    late = post(ledger, coordinator, date=last_month_end())

    problems = books_check(ledger).problems
    assert any(f"#{late.number}" in p and "已经结账" in p for p in problems)


def test_a_closed_month_reopened_by_a_plain_update_and_posted_into_is_flagged(ledger, coordinator):
    day = last_month_end()
    post(ledger, coordinator, date=day)
    services.period_close(ledger=ledger, month=day, actor=coordinator)

    # Behind the services' back: the database lets closed_through move back …
    Ledger.objects.filter(pk=ledger.pk).update(closed_through=day - dt.timedelta(days=40))
    ledger.refresh_from_db()
    reopened = books_check(ledger)
    assert not reopened.ok
    assert any("重新打开" in p for p in reopened.problems)

    # … and then accepts an entry dated in the closed month.
    late = post(ledger, coordinator, date=day)
    check = books_check(ledger)
    assert any(f"#{late.number}" in p and day.isoformat() in p for p in check.problems)
    assert not any("#1 " in p for p in check.problems)  # the entry from before the close
