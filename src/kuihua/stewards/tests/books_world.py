"""A compound's books with a month counted by hand, for the books pages, the PDF and
the export: the month two months back (its bills have fallen due by today)."""

from __future__ import annotations

from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.ledger.services import account
from kuihua.registry.tests.factories import ResidentFactory
from kuihua.stewards import services
from kuihua.stewards.tests.factories import StewardWorld, new_key, steward_world

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64  # enough of a PNG for the type check


def png(name: str = "receipt.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


@dataclass
class BooksWorld:
    world: StewardWorld
    resident: object  # a resident's account, living in the compound
    month: object  # the first day of the month counted by hand
    fee_entry: object  # the ledger entry of a payment
    expense: object  # a steward's expense, with evidence

    @property
    def compound(self):
        return self.world.compound

    @property
    def steward(self):
        return self.world.steward

    @property
    def books(self):
        return self.world.books


def books_world(
    community, coordinator, *, name: str = "红旗新村", username: str = ""
) -> BooksWorld:
    """Four homes billed ¥30.00 for the month two months back; in that month home 1 paid
    in full and home 2 paid ¥10.00; parking brought ¥1,200.00; cleaning cost ¥500.50
    and repairs ¥300.00. The month before it, other income of ¥100.00 (the opening).

    By hand: opening 100.00; income 40.00 + 1,200.00 = 1,240.00; expenses 800.50;
    closing 539.50; collection 1 of 4 bills (25.0%), ¥40.00 of ¥120.00 (33.3%).
    """
    username = username or f"s{community.pk}{name}"
    world = steward_world(community, coordinator, name=name, steward_username=f"{username}-steward")
    ledger = world.books.ledger
    month = timezone.localdate().replace(day=1) - relativedelta(months=2)
    services.cash_entry_post(
        compound=world.compound,
        account=account(ledger, "4009"),
        amount_fen=10000,
        method="cash",
        date=month - relativedelta(months=1),
        memo="废品回收",
        actor=world.steward,
    )
    services.billing_run(compound=world.compound, period_start=month, actor=coordinator)
    day = month.replace(day=10)
    payment, _created = services.payment_record(
        compound=world.compound,
        household=world.homes[0],
        amount_fen=3000,
        method="cash",
        idempotency_key=new_key(),
        actor=world.steward,
        received_on=day,
        payer_name="王秀英",
    )
    services.payment_record(
        compound=world.compound,
        household=world.homes[1],
        amount_fen=1000,
        method="transfer",
        idempotency_key=new_key(),
        actor=world.steward,
        received_on=day,
    )
    services.cash_entry_post(
        compound=world.compound,
        account=account(ledger, "4002"),
        amount_fen=120000,
        method="transfer",
        date=day,
        memo="停车位租金",
        actor=world.steward,
    )
    expense = services.cash_entry_post(
        compound=world.compound,
        account=account(ledger, "5001"),
        amount_fen=50050,
        method="cash",
        date=day,
        memo="楼道保洁",
        actor=world.steward,
        evidence=png(),
    )
    services.cash_entry_post(
        compound=world.compound,
        account=account(ledger, "5003"),
        amount_fen=30000,
        method="cash",
        date=day,
        memo="更换楼道灯",
        actor=world.steward,
    )
    person = ResidentFactory(household=world.homes[2], name="李桂兰")
    resident = UserFactory(
        username=f"{username}-resident",
        role=Role.RESIDENT,
        community=community,
        resident=person,
        display_name="李桂兰",
    )
    return BooksWorld(world, resident, month, payment.entry, expense)
