"""Emptying the whole database (`kuihua seed --reset`, the test runner) takes the books
with it, posted entries included, and leaves the guards in place for what comes after."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.utils import timezone

from kuihua.core.tenancy import unscoped, use_community
from kuihua.ledger import services
from kuihua.ledger.models import Entry, Ledger, Leg
from kuihua.tenants import community_create


def _posted_entry(code: str) -> Entry:
    with use_community(community_create(name=f"{code}社区", code=code)), transaction.atomic():
        ledger = services.ledger_open(name="红旗新村 收支账", kind=Ledger.Kind.COMPOUND)
        return services.entry_post(
            ledger=ledger,
            date=timezone.localdate(),
            memo="楼道保洁",
            legs=[
                (services.account(ledger, "5001"), 1000),
                (services.account(ledger, "1001"), -1000),
            ],
            actor=None,
        )


@pytest.mark.django_db(transaction=True)
def test_flush_empties_books_with_posted_entries_and_the_guards_stay():
    _posted_entry("flush-1")

    call_command("flush", interactive=False, verbosity=0)

    with unscoped():
        assert not Entry.objects.exists() and not Leg.objects.exists()
        entry = _posted_entry("flush-2")
        with pytest.raises(DatabaseError, match="ledger:"), transaction.atomic():
            Leg.objects.filter(entry=entry).delete()
