"""A closed month stays closed: the database refuses to move `closed_through` back
(migrations/0003_closed_through_guard.py), and if someone with the database's password
gets past that, the books check shows it: the close's recorded chain hash says which
entries came after it, and an entry among them dated in the closed month is flagged.
"""

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from kuihua.core.errors import ApplicationError
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


def reopen_behind_the_database(ledger, closed_through) -> None:
    """What only someone with the database's password could do: get past the trigger."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER ledger_ledger_closed_through")
        else:
            cursor.execute("SET LOCAL session_replication_role = replica")
        Ledger.objects.filter(pk=ledger.pk).update(closed_through=closed_through)
        if connection.vendor != "sqlite":
            cursor.execute("SET LOCAL session_replication_role = origin")
    ledger.refresh_from_db()


def test_the_database_refuses_to_reopen_a_closed_month(ledger, coordinator):
    day = last_month_end()
    services.period_close(ledger=ledger, month=day, actor=coordinator)

    for back in (None, day - dt.timedelta(days=40), day - dt.timedelta(days=1)):
        with pytest.raises(DatabaseError, match="never reopened"), transaction.atomic():
            Ledger.objects.filter(pk=ledger.pk).update(closed_through=back)
    ledger.refresh_from_db()
    assert ledger.closed_through == day
    Ledger.objects.filter(pk=ledger.pk).update(name="改个名字")  # other fields: as before
    with pytest.raises(ApplicationError, match="已经结账"):
        post(ledger, coordinator, date=day)


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

    reopen_behind_the_database(ledger, None)
    late = post(ledger, coordinator, date=last_month_end())

    problems = books_check(ledger).problems
    assert any(f"#{late.number}" in p and "已经结账" in p for p in problems)


def test_a_closed_month_reopened_by_a_plain_update_and_posted_into_is_flagged(ledger, coordinator):
    day = last_month_end()
    post(ledger, coordinator, date=day)
    services.period_close(ledger=ledger, month=day, actor=coordinator)

    # Past the services and the trigger, closed_through moved back …
    reopen_behind_the_database(ledger, day - dt.timedelta(days=40))
    reopened = books_check(ledger)
    assert not reopened.ok
    assert any("重新打开" in p for p in reopened.problems)

    # … and then accepts an entry dated in the closed month.
    late = post(ledger, coordinator, date=day)
    check = books_check(ledger)
    assert any(f"#{late.number}" in p and day.isoformat() in p for p in check.problems)
    assert not any("#1 " in p for p in check.problems)  # the entry from before the close
