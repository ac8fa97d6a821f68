"""The workbench (工作台): what waits for a user's decision today, on their home page.

Each item is one kind of thing to act on (open care alerts, needs to match, hours to
verify …) with how many there are and, when they are few, each one by name, linking to
the page where the user acts on it. The items come from each app's selectors, which
decide from the app's own rules what the user may act on; this module only orders them
and says where each one is acted on. Items with nothing waiting are left out.

The number of queries is fixed per role, whatever the number of rows: each item is one
query (its first rows carry the total in a window count), or a fixed few for those
computed in Python (today's check-in windows, arrears by compound).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, QuerySet, Window
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kuihua.accounts.models import Role
from kuihua.activities import selectors as activities
from kuihua.care import selectors as care
from kuihua.core.money import yuan
from kuihua.council import selectors as council
from kuihua.market import selectors as market
from kuihua.matching import selectors as matching
from kuihua.organizations import selectors as organizations
from kuihua.service_records import selectors as service_records
from kuihua.stewards import selectors as stewards
from kuihua.venues import selectors as venues

# Up to this many of a kind are listed one by one; past it, "查看全部 N 条".
SHOWN = 5
# The district dashboard is another page's; linked by address when its name is not routed.
DISTRICT_DASHBOARD = "/dashboard/district/"


@dataclass
class Row:
    """One thing to act on: what it is, a short note (a time, an amount), its page."""

    label: str
    url: str
    note: str = ""


@dataclass
class Item:
    """One kind of thing waiting: how many, the first few, and the page listing them all."""

    key: str
    title: str
    count: int
    url: str
    rows: list[Row] = field(default_factory=list)

    @property
    def more(self) -> bool:
        return self.count > len(self.rows)


@dataclass
class Figure:
    """A number the user keeps an eye on (their hours), linking to where it comes from."""

    label: str
    value: str
    url: str


@dataclass
class Section:
    key: str
    title: str
    items: list[Item] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    links: list[Row] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.items or self.figures or self.links)


def first_few(qs: QuerySet, limit: int = SHOWN) -> tuple[int, list]:
    """(how many rows `qs` has, its first `limit` rows) in one query: the total rides on
    each row as a window count, computed before the LIMIT."""
    if qs.query.is_empty():
        return 0, []
    if qs.query.distinct:
        return qs.count(), list(qs[:limit])
    rows = list(qs.annotate(workbench_total=Window(Count("pk")))[:limit])
    return (rows[0].workbench_total if rows else 0), rows


def _item(key: str, title: str, url: str, qs: QuerySet, row) -> Item | None:
    count, rows = first_few(qs)
    if not count:
        return None
    return Item(key, title, count, url, [row(r) for r in rows])


def _hm(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%H:%M")


def _hours(value: Decimal) -> str:
    return _("%(h)s 小时") % {"h": f"{value.normalize():f}"}


# --- the items, one function each -----------------------------------------------------


def care_alerts(user) -> Item | None:
    def row(alert):
        # A missed window says which one; a door not answered, when it was raised.
        if alert.window_closes_at is not None:
            opens = timezone.localtime(alert.window_opens_at or alert.window_closes_at)
            note = _("%(day)s %(opens)s–%(closes)s 时段") % {
                "day": f"{opens:%m-%d}",
                "opens": f"{opens:%H:%M}",
                "closes": _hm(alert.window_closes_at),
            }
        else:
            note = _("%(at)s 报警") % {"at": f"{timezone.localtime(alert.raised_at):%m-%d %H:%M}"}
        if alert.acknowledged_at is not None:
            note += _("，已响应")
        return Row(
            f"{alert.recipient.resident.name} · {alert.get_kind_display()}",
            reverse("care:alert_detail", args=[alert.pk]),
            note,
        )

    url = reverse("care:board") if user.has_perm("care.handle_alert") else reverse("care:my_visits")
    return _item("care_alerts", _("未处理的关爱报警"), url, care.open_alerts_for(user), row)


def care_windows(user, now: dt.datetime, *, overdue_only: bool) -> Item | None:
    """Overdue check-ins for the duty officer; for a visitor, everyone still to see today."""
    due, seen = [], set()
    for w in care.windows_due(user, now=now):
        # One line a person: their most pressing window (the list comes overdue first).
        if (w.overdue or not overdue_only) and w.recipient.pk not in seen:
            seen.add(w.recipient.pk)
            due.append(w)
    if not due:
        return None
    duty = user.has_perm("care.handle_alert")
    manage = user.has_perm("care.manage")
    everyone = reverse("care:board") if duty else reverse("care:my_visits")
    rows = []
    for w in due[:SHOWN]:
        # A coordinator opens the person's page; the volunteer on duty the board; a
        # visitor their visits.
        url = reverse("care:recipient_detail", args=[w.recipient.pk]) if manage else everyone
        note = _("%(opens)s–%(closes)s 时段") % {"opens": _hm(w.opens), "closes": _hm(w.closes)}
        if w.overdue:
            note += _("，已过时")
        rows.append(Row(w.recipient.resident.name, url, note))
    if overdue_only:
        return Item("care_overdue", _("逾期未签到"), len(due), everyone, rows)
    return Item("care_visits", _("今天还没签到的探访对象"), len(due), everyone, rows)


def decisions_overdue(user, today: dt.date) -> Item | None:
    def row(decision):
        days = (today - decision.deadline).days
        return Row(
            decision.title,
            reverse("council:decision_detail", args=[decision.pk]),
            _("逾期 %(n)s 天") % {"n": days},
        )

    return _item(
        "decisions_overdue",
        _("逾期未办结的决议"),
        reverse("council:notice_board"),
        council.decisions_overdue(user, today=today),
        row,
    )


def needs_to_match(user) -> Item | None:
    def row(need):
        return Row(
            f"{need.category.name} #{need.pk}",
            reverse("matching:need_detail", args=[need.pk]),
            need.get_urgency_display(),
        )

    url = reverse("matching:need_list") + "?status=open"
    return _item("needs", _("待对接的需求"), url, matching.needs_to_match(user), row)


def proposals_to_decide(user) -> Item | None:
    item = _item(
        "proposals",
        _("待确认的对接方案"),
        "",
        matching.proposals_to_decide(user),
        lambda p: Row(
            f"{p.need.category.name} #{p.need_id}",
            reverse("matching:need_detail", args=[p.need_id]),
            _("推荐：%(offer)s") % {"offer": p.offer.name},
        ),
    )
    if item is not None:
        # Every pending proposal is of the latest run (a run supersedes the earlier ones).
        first = matching.proposals_to_decide(user).values_list("run_id", flat=True).first()
        item.url = reverse("matching:run_detail", args=[first])
    return item


def orders_to_start(user) -> Item | None:
    def row(need):
        return Row(
            f"{need.category.name} #{need.pk}",
            reverse("matching:need_detail", args=[need.pk]),
            need.provider.name if need.provider_id else "",
        )

    return _item(
        "orders",
        _("待开始的服务单"),
        reverse("matching:my_orders"),
        matching.orders_to_start(user),
        row,
    )


def records_to_verify(user) -> Item | None:
    def row(record):
        who = record.volunteer.name if record.volunteer_id else _("（已注销）")
        return Row(
            f"{who} · {record.service_item}",
            reverse("service_records:record", args=[record.pk]),
            f"{record.date:%m-%d} · {_hours(record.hours)}",
        )

    return _item(
        "records",
        _("待审核的服务时长"),
        reverse("service_records:queue"),
        service_records.verification_queue(user),
        row,
    )


def corrections_to_decide(user) -> Item | None:
    def row(correction):
        record = correction.record
        who = record.volunteer.name if record.volunteer_id else _("（已注销）")
        return Row(
            f"{who} · {record.service_item}",
            reverse("service_records:record", args=[record.pk]),
            _("%(at)s 申请") % {"at": timezone.localtime(correction.created_at).strftime("%m-%d")},
        )

    return _item(
        "corrections",
        _("待处理的更正申请"),
        reverse("service_records:queue"),
        service_records.corrections_queue(user),
        row,
    )


def topics_to_answer(user) -> Item | None:
    def row(topic):
        return Row(
            topic.title,
            reverse("council:topic_detail", args=[topic.pk]),
            _("%(n)s 人附议") % {"n": topic.supporters},
        )

    url = reverse("council:topic_list") + "?status=open"
    return _item("topics", _("待答复的议题"), url, council.topics_to_answer(user), row)


def arrears(user, today: dt.date) -> Item | None:
    rows = stewards.arrears_to_collect(user, today=today)
    if not rows:
        return None
    return Item(
        "arrears",
        _("欠费的住户"),
        sum(r.homes for r in rows),
        reverse("stewards:home"),
        [
            Row(
                r.compound.name,
                reverse("stewards:homes", args=[r.compound.pk]) + "?owing=1",
                _("%(homes)s 户，共 %(amount)s 元")
                % {"homes": r.homes, "amount": yuan(r.owed_fen)},
            )
            for r in rows[:SHOWN]
        ],
    )


def due_for_filing(user, today: dt.date) -> Item | None:
    def row(organization):
        return Row(
            organization.name,
            reverse("organizations:detail", args=[organization.pk]),
            _("%(since)s 起孵化") % {"since": f"{organization.incubating_since:%Y-%m-%d}"},
        )

    return _item(
        "filing",
        _("该办理备案的组织"),
        reverse("organizations:list"),
        organizations.due_for_filing(user, today=today),
        row,
    )


def activities_today(user, now: dt.datetime) -> Item | None:
    def row(activity):
        return Row(
            activity.title,
            reverse("activities:manage", args=[activity.pk]),
            _("%(at)s · 报名 %(n)s 人") % {"at": _hm(activity.starts_at), "n": activity.signed_up},
        )

    return _item(
        "activities_today",
        _("今天的活动"),
        reverse("activities:calendar"),
        activities.activities_today(user, now=now),
        row,
    )


def bookings_today(user, now: dt.datetime) -> Item | None:
    def row(booking):
        return Row(
            f"{booking.room.name} · {booking.title}",
            reverse("venues:booking_detail", args=[booking.pk]),
            f"{_hm(booking.starts_at)}–{_hm(booking.ends_at)} · {booking.organization.name}",
        )

    return _item(
        "bookings_today",
        _("今天的场地预约"),
        reverse("activities:calendar"),
        venues.bookings_today(user, now=now),
        row,
    )


def stalls_coming(user, today: dt.date) -> Item | None:
    def row(stall):
        return Row(
            f"{stall.organization.name} · {stall.name}",
            reverse("market:stall", args=[stall.pk]),
            f"{stall.market_day.date:%m-%d}",
        )

    return _item(
        "stalls",
        _("我的集市摊位"),
        reverse("market:home"),
        market.stalls_coming(user, today=today),
        row,
    )


def my_signups(user, now: dt.datetime, title: str) -> Item | None:
    def row(signup):
        activity = signup.activity
        return Row(
            activity.title,
            reverse("activities:detail", args=[activity.pk]),
            f"{timezone.localtime(activity.starts_at):%m-%d %H:%M} · {signup.get_status_display()}",
        )

    return _item(
        "signups",
        title,
        reverse("activities:mine"),
        activities.upcoming_signups(user, now=now),
        row,
    )


def my_needs(user) -> Item | None:
    def row(need):
        return Row(
            f"{need.category.name} #{need.pk}",
            reverse("matching:need_detail", args=[need.pk]),
            need.get_status_display(),
        )

    url = reverse("matching:need_list")
    return _item("my_needs", _("我提的需求"), url, matching.own_needs_under_way(user), row)


def votes_open(user, now: dt.datetime) -> Item | None:
    def row(vote):
        return Row(
            vote.title,
            reverse("council:vote_detail", args=[vote.pk]),
            _("%(at)s 截止") % {"at": f"{timezone.localtime(vote.closes_at):%m-%d %H:%M}"},
        )

    return _item(
        "votes",
        _("等您投票的表决"),
        reverse("council:vote_list"),
        council.votes_open_to(user, now=now),
        row,
    )


def hours_figures(user, today: dt.date) -> list[Figure]:
    totals = service_records.volunteer_totals(user.resident, year=today.year)
    url = reverse("service_records:mine")
    return [
        Figure(
            _("%(year)s 年服务时长") % {"year": totals["year"]}, _hours(totals["year_hours"]), url
        ),
        Figure(_("累计服务时长"), _hours(totals["lifetime_hours"]), url),
    ]


# --- the workbench of each role ----------------------------------------------------------


def _present(*items: Item | None) -> list[Item]:
    return [i for i in items if i is not None]


def _district(user) -> list[Section]:
    try:
        url = reverse("dashboard:district")
    except NoReverseMatch:
        url = DISTRICT_DASHBOARD
    return [
        Section(
            "district",
            _("所辖社区"),
            links=[Row(_("查看街道/区数据看板"), url, _("各社区的服务、关爱与收费统计，只读"))],
        )
    ]


def workbench_for(user, *, now: dt.datetime | None = None) -> list[Section]:
    """The sections of `user`'s workbench: what waits for them (most urgent first), what
    runs today, and their own affairs; sections with nothing in them are left out."""
    if not user.is_authenticated:
        return []
    if user.role == Role.DISTRICT_VIEWER:
        return _district(user)
    if user.community_id is None:
        return []  # an account not placed in a community yet (a new admin): nothing to act on
    now = now or timezone.now()
    today = timezone.localdate(now)
    sections = []
    if user.role == Role.COORDINATOR:
        todo = _present(
            care_alerts(user),
            care_windows(user, now, overdue_only=True),
            decisions_overdue(user, today),
            needs_to_match(user),
            proposals_to_decide(user),
            records_to_verify(user),
            corrections_to_decide(user),
            topics_to_answer(user),
            arrears(user, today),
            due_for_filing(user, today),
        )
    else:
        todo = _present(
            care_alerts(user),
            care_windows(user, now, overdue_only=False),
            decisions_overdue(user, today),
            orders_to_start(user),
            records_to_verify(user),
            corrections_to_decide(user),
            arrears(user, today) if user.role == Role.STEWARD else None,
            stalls_coming(user, today),
        )
    # What runs today that the user organizes or answers for (a leader: their organizations').
    running = _present(activities_today(user, now), bookings_today(user, now))
    sections.append(Section("todo", _("待处理"), items=todo))
    sections.append(Section("today", _("今天"), items=running))
    if user.role != Role.COORDINATOR and user.resident_id:
        mine = Section("mine", _("我的"))
        if user.role == Role.RESIDENT:
            mine.items = _present(
                my_signups(user, now, _("我报名的活动")), my_needs(user), votes_open(user, now)
            )
        else:
            mine.items = _present(my_signups(user, now, _("我报名的活动")), votes_open(user, now))
            mine.figures = hours_figures(user, today)
        sections.append(mine)
    return [s for s in sections if not s.empty or s.key == "todo"]
