"""The back office cannot change the books: a posted entry and its legs, a payment, a
receipt counter or a bill are shown, never edited, deleted or added, even to a platform
superuser, whether by the change form, the delete page or the bulk delete action.
(The database's own refusals are in test_guards.py.)"""

import pytest
from django.urls import reverse
from django.utils import timezone

from kuihua.accounts.tests.factories import UserFactory
from kuihua.ledger.models import Entry, Leg
from kuihua.ledger.selectors import books_check
from kuihua.stewards import selectors, services
from kuihua.stewards.models import Bill, CompoundBooks, Payment
from kuihua.stewards.tests.factories import new_key, steward_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(in_community, coordinator):
    """A compound's books with a bill, a payment on it (receipt 1) and its posted entry."""
    world = steward_world(in_community, coordinator, homes=1)
    services.billing_run(
        compound=world.compound,
        period_start=timezone.localdate().replace(day=1),
        actor=coordinator,
    )
    payment, _created = services.payment_record(
        compound=world.compound,
        household=world.homes[0],
        amount_fen=3000,
        method="cash",
        idempotency_key=new_key(),
        actor=world.steward,
    )
    return world.books, payment


@pytest.fixture
def root(client):
    user = UserFactory(username="root", community=None, is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def snapshot(obj) -> dict:
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.attname not in ("evidence",)
    }


def test_a_superuser_can_neither_edit_nor_delete_nor_add_entries_payments_receipts_or_bills(
    client, root, books
):
    compound_books, payment = books
    entry = payment.entry
    rows = [
        entry,
        Leg.objects.filter(entry=entry).first(),
        payment,
        CompoundBooks.objects.get(pk=compound_books.pk),
        Bill.objects.get(compound=compound_books.compound),
    ]
    before = {(type(obj), obj.pk): snapshot(obj) for obj in rows}

    for obj in rows:
        meta = obj._meta
        name = f"admin:{meta.app_label}_{meta.model_name}"
        change = reverse(f"{name}_change", args=[obj.pk])
        delete = reverse(f"{name}_delete", args=[obj.pk])

        page = client.get(change)
        assert page.status_code == 200, change  # it can be read …
        assert b'name="_save"' not in page.content, change  # … with no save button
        assert client.post(change, {"memo": "改过", "amount_fen": 1}).status_code == 403
        assert client.get(delete).status_code == 403
        assert client.post(delete, {"post": "yes"}).status_code == 403
        assert client.get(reverse(f"{name}_add")).status_code == 403
        listing = client.get(reverse(f"{name}_changelist"))
        assert listing.status_code == 200
        assert b"delete_selected" not in listing.content, name
        client.post(
            reverse(f"{name}_changelist"),
            {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
        )

    for (model, pk), was in before.items():
        assert snapshot(model.objects.get(pk=pk)) == was, model
    assert Payment.objects.get(pk=payment.pk).receipt_no == 1
    assert Entry.objects.filter(pk=entry.pk, posted=True).exists()
    assert books_check(compound_books.ledger).ok
    assert selectors.books_reconcile(compound_books).ok
