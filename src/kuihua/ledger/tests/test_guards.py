"""The database itself keeps the books: an unbalanced entry, a change to a posted one,
or an entry in a closed period is refused by SQLite and PostgreSQL, not only by Python."""

import datetime as dt

import pytest
from django.contrib.admin.sites import site
from django.db import DatabaseError, transaction
from django.test import RequestFactory
from django.utils import timezone

from kuihua.core.errors import ApplicationError
from kuihua.ledger import services
from kuihua.ledger.models import Entry, Ledger, Leg
from kuihua.ledger.selectors import books_check

pytestmark = pytest.mark.django_db


@pytest.fixture
def ledger(in_community):
    return services.ledger_open(name="红旗新村 收支账", kind=Ledger.Kind.COMPOUND)


def post(ledger, coordinator, amount=1000, date=None):
    return services.entry_post(
        ledger=ledger,
        date=date or timezone.localdate(),
        memo="楼道保洁",
        legs=[
            (services.account(ledger, "5001"), amount),
            (services.account(ledger, "1001"), -amount),
        ],
        actor=coordinator,
    )


def test_an_unbalanced_entry_is_refused_by_the_database_itself(ledger):
    entry = Entry.objects.create(ledger=ledger, date=timezone.localdate(), memo="手工写入")
    Leg.objects.create(entry=entry, account=services.account(ledger, "5001"), amount_fen=1000)
    Leg.objects.create(entry=entry, account=services.account(ledger, "1001"), amount_fen=-999)

    with pytest.raises(DatabaseError, match="does not balance"), transaction.atomic():
        Entry.objects.filter(pk=entry.pk).update(posted=True)
    assert not Entry.objects.get(pk=entry.pk).posted


def test_an_entry_cannot_be_inserted_already_posted(ledger):
    with pytest.raises(DatabaseError, match="inserted unposted"), transaction.atomic():
        Entry.objects.create(ledger=ledger, date=timezone.localdate(), memo="x", posted=True)


def test_a_posted_entry_and_its_legs_cannot_be_changed_or_deleted_through_the_orm(
    ledger, coordinator
):
    entry = post(ledger, coordinator)
    leg = entry.legs.first()

    for attempt in (
        lambda: Entry.objects.filter(pk=entry.pk).update(memo="改过"),
        lambda: _raw("DELETE FROM ledger_entry WHERE id = %s", entry.pk),
        lambda: Leg.objects.filter(pk=leg.pk).update(amount_fen=1),
        lambda: Leg.objects.filter(pk=leg.pk).delete(),
        lambda: Leg.objects.create(entry=entry, account=leg.account, amount_fen=5),
    ):
        with pytest.raises(DatabaseError, match="ledger:"), transaction.atomic():
            attempt()
    assert books_check(ledger).ok


def _raw(sql, *params):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_admin_offers_no_change_or_delete_of_entries(ledger, coordinator, rf: RequestFactory):
    entry = post(ledger, coordinator)
    request = rf.get("/admin/")
    request.user = coordinator
    for model in (Entry, Leg):
        admin = site._registry[model]
        assert not admin.has_change_permission(request, entry)
        assert not admin.has_delete_permission(request, entry)
        assert not admin.has_add_permission(request)


def test_a_closed_period_refuses_entries_and_a_correction_goes_into_an_open_one(
    ledger, coordinator
):
    today = timezone.localdate()
    last_month = today.replace(day=1) - dt.timedelta(days=1)
    entry = post(ledger, coordinator, date=last_month)
    services.period_close(ledger=ledger, month=last_month, actor=coordinator)

    with pytest.raises(ApplicationError, match="已经结账"):
        post(ledger, coordinator, date=last_month)
    raw = Entry.objects.create(ledger=ledger, date=last_month, memo="绕过服务")
    Leg.objects.create(entry=raw, account=services.account(ledger, "5001"), amount_fen=10)
    Leg.objects.create(entry=raw, account=services.account(ledger, "1001"), amount_fen=-10)
    with pytest.raises(DatabaseError, match="period is closed"), transaction.atomic():
        Entry.objects.filter(pk=raw.pk).update(posted=True)

    reversal = services.entry_reverse(entry=entry, reason="重复记账", actor=coordinator)
    assert reversal.date == today and reversal.reverses_id == entry.pk
    with pytest.raises(ApplicationError, match="冲销过"):
        services.entry_reverse(entry=entry, reason="再冲一次", actor=coordinator)


def test_the_check_finds_a_changed_past(ledger, coordinator):
    post(ledger, coordinator)
    post(ledger, coordinator, amount=2000)
    assert books_check(ledger).ok

    # Someone with the database's password and no triggers: the chain shows it.
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER ledger_leg_update")
        else:
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE ledger_leg SET amount_fen = amount_fen * 2 WHERE entry_id = %s",
            [Entry.objects.get(number=1).pk],
        )
        if connection.vendor != "sqlite":
            cursor.execute("SET LOCAL session_replication_role = origin")
    check = books_check(ledger)
    assert not check.ok
    assert any("#1" in p for p in check.problems)
