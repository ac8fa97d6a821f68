"""The duty phone line's rota: generated for a month, swaps asked and approved.

`rota_generate` reads each volunteer's DutyPreference, lets the CP-SAT model
(`rota.py`) place them, and stores the month's shifts, replacing the month's
previous rota; shifts nobody could take are stored without a holder and
reported. `on_duty_now` is who answers alerts: the holder of the current shift,
else the coordinators.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kuihua.care import rota
from kuihua.care.models import DutyPreference, DutyShift, SwapRequest
from kuihua.care.services import CareError, _actor, duty_officers
from kuihua.care.sweep import parse_time
from kuihua.core.audit import audit
from kuihua.core.models import Community
from kuihua.core.tenancy import current_community_ids

REASONS = {
    "nobody_available": gettext_lazy("这一天没有人能值班"),
    "limits": gettext_lazy("能值班的人已达到每月或连续天数上限"),
}


def _runs_before(first: dt.date, longest: int) -> dict[int, int]:
    """{user id: days in a row held up to the day before `first`} (at most `longest`)."""
    worked: dict[int, set[dt.date]] = {}
    for user_id, day in DutyShift.objects.filter(
        day__gte=first - dt.timedelta(days=longest), day__lt=first, user__isnull=False
    ).values_list("user_id", "day"):
        worked.setdefault(user_id, set()).add(day)
    runs = {}
    for user_id, held in worked.items():
        run = 0
        while first - dt.timedelta(days=run + 1) in held:
            run += 1
        runs[user_id] = run
    return runs


def rota_generate(*, actor, year: int, month: int) -> tuple[list[DutyShift], list[dict]]:
    """The month's rota; (shifts, the shifts left open with the reason in words).

    The solver runs outside the write transaction (on SQLite it would hold back
    every writer for its seconds); the month is then replaced under the
    community's row lock, one rota at a time.
    """
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise CareError(_("月份不正确"), field="month")
    days = rota.month_days(year, month)
    preferences = list(DutyPreference.objects.select_related("user").filter(user__is_active=True))
    before = _runs_before(days[0], max((p.max_consecutive_days for p in preferences), default=1))
    volunteers = [
        rota.Volunteer(
            key=p.user_id,
            days=p.days,
            unavailable=frozenset(dt.date.fromisoformat(d) for d in p.unavailable),
            max_shifts=p.max_shifts_per_month,
            max_consecutive_days=max(1, p.max_consecutive_days),
            run_before=before.get(p.user_id, 0),
        )
        for p in preferences
    ]
    result = rota.build(days, volunteers)
    [community_id] = current_community_ids()
    with transaction.atomic():
        Community.objects.select_for_update().filter(pk=community_id).exists()
        DutyShift.objects.filter(day__gte=days[0], day__lte=days[-1]).delete()
        shifts = DutyShift.objects.bulk_create(
            DutyShift(
                community_id=community_id,
                day=day,
                index=index,
                starts=parse_time(start),
                ends=parse_time(end),
                user_id=result.assignment.get((day, index)),
            )
            for day in days
            for index, (start, end) in enumerate(rota.SHIFTS)
        )
        audit(
            actor=actor,
            community_id=community_id,
            action="care.rota",
            obj=shifts[0],
            new={
                "month": f"{year}-{month:02d}",
                "uncovered": len(result.uncovered),
                "spread": result.spread,
            },
        )
    left = [
        {"day": day, "shift": index, "reason": str(REASONS[why])}
        for day, index, why in result.uncovered
    ]
    return shifts, left


@transaction.atomic
def preference_set(
    *,
    user,
    days: str,
    unavailable: list[str],
    max_shifts_per_month: int,
    max_consecutive_days: int,
) -> DutyPreference:
    """A volunteer's availability for the duty line (the next rota reads it)."""
    if days not in DutyPreference.Days.values:
        raise CareError(_("请选择可值班日"), field="days")
    if not 0 <= max_shifts_per_month <= 31 or not 1 <= max_consecutive_days <= 31:
        raise CareError(_("班次和天数应在 0 到 31 之间"), field="max_shifts_per_month")
    preference, _created = DutyPreference.objects.update_or_create(
        user=user,
        defaults={
            "days": days,
            "unavailable": sorted(set(unavailable)),
            "max_shifts_per_month": max_shifts_per_month,
            "max_consecutive_days": max_consecutive_days,
        },
    )
    return preference


def on_duty_now(community_id: int, *, now: dt.datetime | None = None) -> list:
    """Who answers the duty line now: the current shift's holder, else the coordinators."""
    shift = (
        _shifts_under_way(now)
        .filter(community_id=community_id, user__isnull=False, user__is_active=True)
        .select_related("user")
        .first()
    )
    return [shift.user] if shift else duty_officers(community_id)


def _shifts_under_way(now: dt.datetime | None = None):
    local = timezone.localtime(now or timezone.now())
    return DutyShift.objects.filter(
        day=local.date(), starts__lte=local.time(), ends__gt=local.time()
    )


def holds_duty_now(user, *, now: dt.datetime | None = None) -> bool:
    """Whether `user` holds the shift of the duty line under way now."""
    return _shifts_under_way(now).filter(user=user).exists()


def duty_colleagues(user):
    """Who `user` may hand a shift to: the other active accounts of the community in
    force that stated when they take the duty line (the preferences are scoped)."""
    from kuihua.accounts.models import User

    return (
        User.objects.filter(pk__in=DutyPreference.objects.values("user_id"), is_active=True)
        .exclude(pk=user.pk)
        .order_by("username")
    )


@transaction.atomic
def swap_request(*, actor, shift: DutyShift, to_user) -> SwapRequest:
    if shift.user_id != getattr(actor, "pk", None):
        raise CareError(_("只能申请调换自己的班次"), field="shift")
    if to_user is None or to_user.pk == actor.pk or to_user.community_id != shift.community_id:
        raise CareError(_("请选择接班的志愿者"), field="to_user")
    if DutyShift.objects.filter(day=shift.day, user=to_user).exists():
        raise CareError(_("对方当天已有班次"), field="to_user")
    return SwapRequest.objects.create(shift=shift, from_user=actor, to_user=to_user)


@transaction.atomic
def swap_decide(*, actor, swap: SwapRequest, approve: bool) -> SwapRequest:
    """Approve (the shift changes hands, if it is still the asker's) or refuse."""
    swap = SwapRequest.objects.select_for_update().get(pk=swap.pk)
    if swap.status != SwapRequest.Status.PENDING:
        raise CareError(_("该申请已处理"))
    shift = DutyShift.objects.select_for_update().get(pk=swap.shift_id)
    if approve:
        if shift.user_id != swap.from_user_id:
            raise CareError(_("该班次已不是申请人的"))
        if DutyShift.objects.filter(day=shift.day, user_id=swap.to_user_id).exists():
            raise CareError(_("对方当天已有班次"))
        shift.user_id = swap.to_user_id
        shift.save(update_fields=["user"])
    swap.status = SwapRequest.Status.APPROVED if approve else SwapRequest.Status.REFUSED
    swap.decided_by, swap.decided_at = _actor(actor), timezone.now()
    swap.save(update_fields=["status", "decided_by", "decided_at"])
    audit(
        actor=actor,
        community_id=swap.community_id,
        action="care.swap",
        obj=swap,
        new={"status": swap.status, "shift": shift.pk},
    )
    return swap
