"""Posting to a ledger: every write to the books goes through here.

The rules are checked here first, so a person gets a message in their language;
the database checks the ones that matter again (migrations/0002_guards.py), so no
other path can break them: an entry balances, a posted entry never changes, a
closed period takes nothing. Postings to one ledger are taken one at a time (its
row is locked) because each carries the number and hash of the one before it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
from collections.abc import Sequence

from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.core.audit import audit
from kuihua.core.bulk import insert_rows
from kuihua.core.errors import ApplicationError
from kuihua.core.money import MAX_FEN, yuan
from kuihua.ledger.models import Account, Entry, Ledger, Leg, PeriodClose

Legs = Sequence[tuple[Account, int]]

# What a compound's books start with. Income and expense accounts are the
# categories stewards post to; they may add their own.
COMPOUND_CHART = [
    ("1001", "现金", Account.Kind.ASSET, True),
    ("1002", "银行存款", Account.Kind.ASSET, True),
    ("2201", "业主预存款", Account.Kind.LIABILITY, True),
    ("3001", "期初结余", Account.Kind.EQUITY, True),
    ("4001", "物业服务费收入", Account.Kind.INCOME, True),
    ("4002", "停车费收入", Account.Kind.INCOME, False),
    ("4003", "公共收益", Account.Kind.INCOME, False),
    ("4009", "其他收入", Account.Kind.INCOME, False),
    ("5001", "保洁费", Account.Kind.EXPENSE, False),
    ("5002", "绿化养护", Account.Kind.EXPENSE, False),
    ("5003", "维修维护", Account.Kind.EXPENSE, False),
    ("5004", "公共水电", Account.Kind.EXPENSE, False),
    ("5005", "门卫安保", Account.Kind.EXPENSE, False),
    ("5006", "办公及公示", Account.Kind.EXPENSE, False),
    ("5009", "其他支出", Account.Kind.EXPENSE, False),
]
CASH, BANK, PREPAID, OPENING, FEES = "1001", "1002", "2201", "3001", "4001"
# What a public-welfare project's books start with: where its money is, and one
# income account per kind of funding (subsidy, donation, market proceeds, other).
# The expense accounts are its budget lines, added as the budget is drawn up
# (kuihua.projects.services.budget_line_set), coded 5001 upwards.
PROJECT_CHART = [
    ("1001", "现金", Account.Kind.ASSET, True),
    ("1002", "银行存款", Account.Kind.ASSET, True),
    ("3001", "期初结余", Account.Kind.EQUITY, True),
    ("4001", "政府补贴/资助收入", Account.Kind.INCOME, True),
    ("4002", "社会捐赠收入", Account.Kind.INCOME, True),
    ("4003", "集市义卖收入", Account.Kind.INCOME, True),
    ("4009", "其他收入", Account.Kind.INCOME, True),
]
# Rows per statement of a bulk posting (SQLite allows 32,766 parameters in one).
BULK_BATCH = 500


def ledger_open(*, name: str, kind: str, chart=COMPOUND_CHART) -> Ledger:
    """A new ledger with its chart of accounts."""
    ledger = Ledger.objects.create(name=name, kind=kind)
    Account.objects.bulk_create(
        [
            Account(
                community_id=ledger.community_id,
                ledger=ledger,
                code=code,
                name=label,
                kind=kind_,
                is_system=system,
            )
            for code, label, kind_, system in chart
        ]
    )
    return ledger


def account(ledger: Ledger, code: str) -> Account:
    return Account.objects.get(ledger=ledger, code=code)


def entry_hash(
    *,
    ledger_id: int,
    number: int,
    date: dt.date,
    memo: str,
    source: str,
    reverses: int | None,
    legs: list[tuple[str, int]],
    prev_hash: str,
) -> str:
    """The SHA-256 of an entry's content and of the entry before it (the chain)."""
    body = json.dumps(
        [ledger_id, number, date.isoformat(), memo, source, reverses, sorted(legs), prev_hash],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(body.encode()).hexdigest()


def month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _check_legs(ledger: Ledger, legs: Legs) -> None:
    if len(legs) < 2:
        raise ApplicationError(_("一笔账至少要有借、贷两方。"))
    for acct, amount in legs:
        if acct.ledger_id != ledger.pk:
            raise ApplicationError(_("科目不属于这本账。"))
        if not isinstance(amount, int) or amount == 0 or abs(amount) > MAX_FEN * 10:
            raise ApplicationError(_("每一行的金额都要是非零的整数分。"))
    total = sum(amount for _acct, amount in legs)
    if total != 0:
        raise ApplicationError(_("借贷不平：相差 %(diff)s 元。") % {"diff": yuan(abs(total))})


def _check_open(ledger: Ledger, date: dt.date) -> None:
    if ledger.closed_through and date <= ledger.closed_through:
        raise ApplicationError(
            _("%(day)s 所在的月份已经结账，不能再记账；更正请记在未结账的月份。")
            % {"day": date.isoformat()},
            field="date",
        )


def entry_post(
    *,
    ledger: Ledger,
    date: dt.date,
    memo: str,
    legs: Legs,
    actor,
    source: str = "",
    evidence=None,
    reverses: Entry | None = None,
    reason: str = "",
) -> Entry:
    """Post one balanced entry to `ledger` and chain it. Call inside a transaction
    (it locks the ledger's row until the caller commits)."""
    memo = (memo or "").strip()
    if not memo:
        raise ApplicationError(_("请写明摘要（这笔钱是什么）。"), field="memo")
    locked = Ledger.objects.select_for_update().get(pk=ledger.pk)
    _check_open(locked, date)
    _check_legs(locked, legs)
    entry = Entry.objects.create(
        community_id=locked.community_id,
        ledger=locked,
        date=date,
        memo=memo[:200],
        source=source,
        reverses=reverses,
        reason=reason,
        posted_by=actor if getattr(actor, "pk", None) else None,
    )
    if evidence is not None:
        # Saved before posting: a posted entry never changes, its evidence included.
        entry.evidence.save(evidence.name, evidence, save=False)
        Entry.objects.filter(pk=entry.pk).update(evidence=entry.evidence.name)
    Leg.objects.bulk_create(
        [
            Leg(community_id=locked.community_id, entry=entry, account=acct, amount_fen=amount)
            for acct, amount in legs
        ]
    )
    number = locked.last_number + 1
    digest = entry_hash(
        ledger_id=locked.pk,
        number=number,
        date=date,
        memo=entry.memo,
        source=source,
        reverses=reverses.number if reverses else None,
        legs=[(acct.code, amount) for acct, amount in legs],
        prev_hash=locked.last_hash,
    )
    now = timezone.now()
    # One UPDATE posts it; the database refuses it if the legs do not balance.
    Entry.objects.filter(pk=entry.pk).update(
        posted=True, number=number, prev_hash=locked.last_hash, hash=digest, posted_at=now
    )
    Ledger.objects.filter(pk=locked.pk).update(last_number=number, last_hash=digest)
    entry.posted, entry.number, entry.hash, entry.prev_hash, entry.posted_at = (
        True,
        number,
        digest,
        locked.last_hash,
        now,
    )
    ledger.last_number, ledger.last_hash = number, digest
    return entry


ENTRY_COLUMNS = [
    "community_id",
    "ledger_id",
    "date",
    "memo",
    "source",
    "evidence",
    "reason",
    "posted",
    "posted_by_id",
    "prev_hash",
    "hash",
]


def entries_post_many(*, ledger: Ledger, items: Sequence[tuple], actor) -> list[Entry]:
    """Post many balanced entries to `ledger` at once, numbered and chained in the order
    given, exactly as `entry_post` one after another would (the same numbers, hashes and
    rows), in a handful of queries per thousand entries. `items` are (date, memo, legs,
    source). Call inside a transaction (the ledger's row is locked until it commits).

    The database's guards hold as for one entry: each is inserted unposted, its legs
    added, then posted by an UPDATE the triggers check row by row.
    """
    if not items:
        return []
    locked = Ledger.objects.select_for_update().get(pk=ledger.pk)
    poster = actor if getattr(actor, "pk", None) else None
    poster_id = poster.pk if poster else None
    entries = []
    for date, memo, legs, source in items:
        memo = (memo or "").strip()
        if not memo:
            raise ApplicationError(_("请写明摘要（这笔钱是什么）。"), field="memo")
        _check_open(locked, date)
        _check_legs(locked, legs)
        entries.append(
            Entry(
                community_id=locked.community_id,
                ledger=locked,
                date=date,
                memo=memo[:200],
                source=source,
                posted_by=poster,
            )
        )
    # Inserted unposted as rows, then their ids read back in the order they were given
    # (ids only grow: AUTOINCREMENT on SQLite, a sequence on PostgreSQL).
    after = Entry.objects.filter(ledger=locked).aggregate(top=Max("id"))["top"] or 0
    insert_rows(
        Entry,
        ENTRY_COLUMNS,
        (
            (e.community_id, locked.pk, e.date, e.memo, e.source, "", "", False, poster_id, "", "")
            for e in entries
        ),
    )
    made = list(
        Entry.objects.filter(ledger=locked, posted=False, id__gt=after)
        .order_by("id")
        .values_list("id", "source", "memo")
    )
    if [(source, memo) for _id, source, memo in made] != [(e.source, e.memo) for e in entries]:
        raise RuntimeError("entries_post_many: the inserted entries do not read back in order")
    for entry, (pk, _source, _memo) in zip(entries, made, strict=True):
        entry.pk = pk
        entry._state.adding, entry._state.db = False, locked._state.db
    insert_rows(
        Leg,
        ["community_id", "entry_id", "account_id", "amount_fen"],
        (
            (locked.community_id, entry.pk, acct.pk, amount)
            for entry, (_d, _m, legs, _s) in zip(entries, items, strict=True)
            for acct, amount in legs
        ),
    )
    number, prev, now = locked.last_number, locked.last_hash, timezone.now()
    for entry, (date, _memo, legs, source) in zip(entries, items, strict=True):
        number += 1
        digest = entry_hash(
            ledger_id=locked.pk,
            number=number,
            date=date,
            memo=entry.memo,
            source=source,
            reverses=None,
            legs=[(acct.code, amount) for acct, amount in legs],
            prev_hash=prev,
        )
        entry.posted, entry.number, entry.prev_hash, entry.hash, entry.posted_at = (
            True,
            number,
            prev,
            digest,
            now,
        )
        prev = digest
    # Posted by one UPDATE each (the triggers check each row's balance), sent as one
    # prepared statement with many rows of parameters.
    table = connection.ops.quote_name(Entry._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET posted = %s, number = %s, prev_hash = %s, hash = %s, "  # noqa: S608
            "posted_at = %s WHERE id = %s",
            [(True, e.number, e.prev_hash, e.hash, now, e.pk) for e in entries],
        )
    Ledger.objects.filter(pk=locked.pk).update(last_number=number, last_hash=prev)
    ledger.last_number, ledger.last_hash = number, prev
    return entries


@transaction.atomic
def entry_reverse(*, entry: Entry, reason: str, actor, date: dt.date | None = None) -> Entry:
    """Correct a posted entry by posting its opposite, dated `date` (today by default,
    an open period), naming it and the reason. An entry is reversed at most once."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("冲销要写明原因。"), field="reason")
    if entry.reverses_id is not None:
        raise ApplicationError(_("这是一张冲销凭证，不能再冲销；如有错误请另记一笔。"))
    if Entry.objects.filter(reverses=entry).exists():
        raise ApplicationError(_("这张凭证已经冲销过了。"))
    legs = [(leg.account, -leg.amount_fen) for leg in entry.legs.select_related("account")]
    reversal = entry_post(
        ledger=entry.ledger,
        date=date or timezone.localdate(),
        memo=_("冲销 #%(number)s：%(memo)s") % {"number": entry.number, "memo": entry.memo},
        legs=legs,
        actor=actor,
        source=f"reversal:{entry.source or entry.pk}"[:40],
        reverses=entry,
        reason=reason,
    )
    audit(
        actor=actor,
        community_id=entry.community_id,
        action="ledger.entry_reversed",
        obj=entry,
        new={"reversal": reversal.number, "reason": reason},
    )
    return reversal


@transaction.atomic
def period_close(*, ledger: Ledger, month: dt.date, actor) -> PeriodClose:
    """Close `month` (and any month before it still open): nothing dated in it is
    accepted after. Only a month that has ended can be closed."""
    first = month.replace(day=1)
    last = month_end(first)
    if last >= timezone.localdate():
        raise ApplicationError(_("只能结已经过完的月份。"), field="month")
    locked = Ledger.objects.select_for_update().get(pk=ledger.pk)
    if locked.closed_through and last <= locked.closed_through:
        raise ApplicationError(
            _("%(month)s 已经结账了。") % {"month": first.strftime("%Y-%m")}, field="month"
        )
    unposted = Entry.objects.filter(ledger=locked, posted=False, date__lte=last)
    if unposted.exists():  # left by a crash mid-posting; the check reports them too
        raise ApplicationError(_("账本里有未过账的凭证，请先运行账目核对。"))
    Ledger.objects.filter(pk=locked.pk).update(closed_through=last)
    ledger.closed_through = last
    closed = PeriodClose.objects.create(
        ledger=locked,
        month=first,
        closed_by=actor if getattr(actor, "pk", None) else None,
        chain_hash=locked.last_hash,
    )
    audit(
        actor=actor,
        community_id=ledger.community_id,
        action="ledger.period_closed",
        obj=closed,
        new={"month": first.isoformat(), "chain_hash": locked.last_hash},
    )
    return closed


@transaction.atomic
def category_add(*, ledger: Ledger, name: str, kind: str, actor) -> Account:
    """A new income or expense category (科目) for `ledger`."""
    name = (name or "").strip()
    if not name or len(name) > 40:
        raise ApplicationError(_("科目名称请填 1 到 40 个字。"), field="name")
    if kind not in (Account.Kind.INCOME, Account.Kind.EXPENSE):
        raise ApplicationError(_("只能新增收入或支出科目。"), field="kind")
    if Account.objects.filter(ledger=ledger, name=name).exists():
        raise ApplicationError(_("已经有这个科目了。"), field="name")
    prefix = "4" if kind == Account.Kind.INCOME else "5"
    taken = set(
        Account.objects.filter(ledger=ledger, code__startswith=prefix).values_list(
            "code", flat=True
        )
    )
    code = next(f"{prefix}{n:03d}" for n in range(100, 1000) if f"{prefix}{n:03d}" not in taken)
    created = Account.objects.create(ledger=ledger, code=code, name=name, kind=kind)
    audit(
        actor=actor,
        community_id=ledger.community_id,
        action="ledger.category_added",
        obj=created,
        new={"name": name, "kind": kind},
    )
    return created


@transaction.atomic
def budget_set(*, ledger: Ledger, account: Account, year: int, amount_fen: int, actor):
    """Set the year's budget of one income or expense category."""
    from kuihua.ledger.models import Budget

    if account.ledger_id != ledger.pk or account.kind not in (
        Account.Kind.INCOME,
        Account.Kind.EXPENSE,
    ):
        raise ApplicationError(_("预算只能按收入或支出科目编制。"), field="account")
    if amount_fen < 0:
        raise ApplicationError(_("金额不能是负数。"), field="amount")
    budget, _created = Budget.objects.update_or_create(
        ledger=ledger, account=account, year=year, defaults={"amount_fen": amount_fen}
    )
    audit(
        actor=actor,
        community_id=ledger.community_id,
        action="ledger.budget_set",
        obj=budget,
        new={"year": year, "account": account.name, "amount_fen": amount_fen},
    )
    return budget


# --- funds: an organization's own fund and the community's public-welfare fund -----

# What a fund's books start with (an organization's 自有资金, the community's 公益金):
# where the money is, and its income by kind; market proceeds (集市义卖收入) are
# coded 4003 as in a project's books.
FUND_CHART = [
    ("1001", "现金", Account.Kind.ASSET, True),
    ("1002", "银行存款", Account.Kind.ASSET, True),
    ("3001", "期初结余", Account.Kind.EQUITY, True),
    ("4001", "会费及捐赠收入", Account.Kind.INCOME, False),
    ("4003", "集市义卖收入", Account.Kind.INCOME, True),
    ("4009", "其他收入", Account.Kind.INCOME, False),
    ("5001", "活动支出", Account.Kind.EXPENSE, False),
    ("5009", "其他支出", Account.Kind.EXPENSE, False),
]
MARKET_INCOME = "4003"


def public_welfare_fund() -> Ledger:
    """The community's one public-welfare fund (公益金), opened by whoever needs it first.

    Race-safe: two openings at once both try the insert; the unique constraint
    (`ledger_one_public_welfare_fund`) lets one through, the other reads it."""
    found = Ledger.objects.filter(kind=Ledger.Kind.PUBLIC_WELFARE).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return ledger_open(name=_("公益金"), kind=Ledger.Kind.PUBLIC_WELFARE, chart=FUND_CHART)
    except IntegrityError:
        return Ledger.objects.get(kind=Ledger.Kind.PUBLIC_WELFARE)
