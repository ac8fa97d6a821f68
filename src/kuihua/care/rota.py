"""The duty phone line's monthly rota (08:00–20:00), built by OR-Tools CP-SAT.

Pure data in, assignment out (no Django): the services wrap it.

Each day of the month has the line's shifts (by default two: 08:00–14:00 and
14:00–20:00). A volunteer states which days they can take — working days,
rest days or any — where "working day" follows the State Council's calendar
(chinese_calendar: public holidays are rest days, make-up working days 调休 are
working days), plus dates they cannot, a monthly limit, and at most so many
consecutive days. The model:

* every shift is covered, if it can be (uncovered shifts are the first thing
  minimised, so an impossible month still gets the best rota there is, and
  the shifts left open are reported with the reason);
* one shift a day per person, nobody over their limit, no run of days longer
  than their maximum (counting the days already worked at the end of the month
  before);
* then the spread: the difference between the most and the fewest shifts
  anyone has, among those available at all, is minimised (≤ 1 where feasible).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

WORKDAYS, RESTDAYS, ANY = "workdays", "restdays", "any"
SHIFTS = (("08:00", "14:00"), ("14:00", "20:00"))


@dataclasses.dataclass(frozen=True)
class Volunteer:
    key: int
    days: str = ANY  # WORKDAYS | RESTDAYS | ANY
    unavailable: frozenset[dt.date] = frozenset()
    max_shifts: int = 8
    max_consecutive_days: int = 3
    # Days in a row already worked up to the last day before the month: a run that
    # crosses into the month counts them.
    run_before: int = 0


@dataclasses.dataclass
class Rota:
    assignment: dict[tuple[dt.date, int], int]  # (day, shift index) -> volunteer key
    uncovered: list[tuple[dt.date, int, str]]  # (day, shift index, why)
    counts: dict[int, int]
    optimal: bool

    @property
    def spread(self) -> int:
        values = list(self.counts.values())
        return max(values) - min(values) if values else 0


def month_days(year: int, month: int) -> list[dt.date]:
    first = dt.date(year, month, 1)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return [first + dt.timedelta(days=i) for i in range((following - first).days)]


def is_workday(day: dt.date) -> bool:
    """The official calendar: holidays are rest days, make-up days (调休) are working days."""
    import chinese_calendar

    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # a year the package does not know yet: weekdays
        return day.weekday() < 5


def can_take(volunteer: Volunteer, day: dt.date, workday: bool) -> bool:
    if day in volunteer.unavailable:
        return False
    if volunteer.days == WORKDAYS:
        return workday
    if volunteer.days == RESTDAYS:
        return not workday
    return True


def build(
    days: list[dt.date],
    volunteers: list[Volunteer],
    *,
    shifts: int = len(SHIFTS),
    seconds: float = 20.0,
) -> Rota:
    from ortools.sat.python import cp_model

    workday = {d: is_workday(d) for d in days}
    model = cp_model.CpModel()
    x = {}
    for v in volunteers:
        for d in days:
            if can_take(v, d, workday[d]):
                for s in range(shifts):
                    x[v.key, d, s] = model.new_bool_var(f"x{v.key}_{d}_{s}")
    uncovered = {}
    for d in days:
        for s in range(shifts):
            takers = [x[v.key, d, s] for v in volunteers if (v.key, d, s) in x]
            uncovered[d, s] = model.new_bool_var(f"open{d}_{s}")
            model.add(sum(takers) + uncovered[d, s] == 1)
    worked, counts = {}, {}
    for v in volunteers:
        for d in days:
            mine = [x[v.key, d, s] for s in range(shifts) if (v.key, d, s) in x]
            worked[v.key, d] = sum(mine) if mine else 0
            if mine:
                model.add(sum(mine) <= 1)  # one shift a day
        if not any((v.key, d, s) in x for d in days for s in range(shifts)):
            continue  # never available this month
        counts[v.key] = sum(worked[v.key, d] for d in days)
        model.add(counts[v.key] <= v.max_shifts)
        k = v.max_consecutive_days
        for i in range(len(days) - k):
            model.add(sum(worked[v.key, d] for d in days[i : i + k + 1]) <= k)
        for back in range(1, min(v.run_before, k) + 1):
            # a window of k + 1 days starting `back` days before the month, all worked there
            model.add(sum(worked[v.key, d] for d in days[: k + 1 - back]) <= k - back)
    open_total = sum(uncovered.values())
    able = [v for v in volunteers if v.key in counts]
    highest = model.new_int_var(0, len(days), "highest")
    lowest = model.new_int_var(0, len(days), "lowest")
    for v in able:
        model.add(highest >= counts[v.key])
        model.add(lowest <= counts[v.key])
    # Coverage first (a shift weighs more than any spread), then the spread.
    model.minimize(open_total * (len(days) + 1) + highest - lowest)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 2
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise RuntimeError(f"the rota model could not be solved ({solver.status_name(status)})")
    assignment = {(d, s): key for (key, d, s), var in x.items() if solver.value(var)}
    left = []
    for (d, s), var in uncovered.items():
        if solver.value(var):
            anyone = any((v.key, d, s) in x for v in volunteers)
            why = "nobody_available" if not anyone else "limits"
            left.append((d, s, why))
    return Rota(
        assignment=assignment,
        uncovered=sorted(left),
        counts={v.key: int(solver.value(counts[v.key])) for v in able},
        optimal=status == cp_model.OPTIMAL,
    )
