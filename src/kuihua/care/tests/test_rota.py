"""The duty rota: every shift covered, limits kept, fair, the official calendar followed."""

import datetime as dt
import random

from kuihua.care import rota as R


def _check(days, volunteers, result):
    by_key = {v.key: v for v in volunteers}
    per_day = {}
    for (day, _shift), key in result.assignment.items():
        volunteer = by_key[key]
        assert R.can_take(volunteer, day, R.is_workday(day)), (key, day)
        per_day.setdefault((key, day), 0)
        per_day[key, day] += 1
    assert max(per_day.values(), default=0) <= 1  # one shift a day
    for v in volunteers:
        worked = [d for d in days if (v.key, d) in per_day]
        assert len(worked) <= v.max_shifts
        run = longest = 0
        for d in days:
            run = run + 1 if (v.key, d) in per_day else 0
            longest = max(longest, run)
        assert longest <= v.max_consecutive_days


def test_a_month_with_thirty_volunteers_is_covered_fairly_around_the_holidays():
    rng = random.Random(2026)
    days = R.month_days(2026, 10)  # National Day holidays and make-up working days
    volunteers = [
        R.Volunteer(
            key=k,
            days=rng.choice([R.ANY, R.ANY, R.WORKDAYS, R.RESTDAYS]),
            unavailable=frozenset(rng.sample(days, rng.randrange(0, 10))),
            max_shifts=rng.choice([3, 4, 6]),
            max_consecutive_days=rng.choice([2, 3]),
        )
        for k in range(30)
    ]

    result = R.build(days, volunteers)

    assert result.uncovered == []
    assert len(result.assignment) == len(days) * len(R.SHIFTS)
    _check(days, volunteers, result)
    assert result.spread <= 1
    holidays = [d for d in days if not R.is_workday(d) and d.weekday() < 5]
    assert holidays, "October has weekday holidays"
    workday_only = {v.key for v in volunteers if v.days == R.WORKDAYS}
    assert not any(
        key in workday_only for (day, _s), key in result.assignment.items() if day in holidays
    )


def test_an_impossible_month_names_the_shifts_nobody_can_take():
    days = R.month_days(2026, 11)
    off = frozenset(d for d in days if d.day == 15)
    volunteers = [
        R.Volunteer(key=k, unavailable=off, max_shifts=10, max_consecutive_days=5) for k in range(3)
    ]

    result = R.build(days, volunteers)

    open_days = {(d, why) for d, _s, why in result.uncovered}
    assert (dt.date(2026, 11, 15), "nobody_available") in open_days
    assert len(result.uncovered) == len(days) * 2 - 30  # 3 people × 10 shifts at most
    assert any(why == "limits" for _d, _s, why in result.uncovered)
    _check(days, volunteers, result)


def test_the_official_calendar_decides_make_up_working_days_and_weekday_holidays():
    days = R.month_days(2026, 10)
    make_up = [d for d in days if R.is_workday(d) and d.weekday() >= 5]
    holidays = [d for d in days if not R.is_workday(d) and d.weekday() < 5]
    assert make_up and holidays  # 2026-10-10 (Saturday) works; 1–7 October rest
    office_workers = [R.Volunteer(key=k, days=R.WORKDAYS, max_shifts=31) for k in range(20)]

    result = R.build(days, office_workers)

    covered = {d for d, _s in result.assignment}
    assert set(make_up) <= covered  # the Saturday make-up day is a working day
    assert not covered & set(holidays)  # the weekday holidays are not
    assert {d for d, _s, _why in result.uncovered} >= set(holidays)


def test_a_run_of_days_from_the_month_before_counts():
    days = R.month_days(2027, 2)  # 28 days; alone, with 2 days in a row at most

    def worked(run_before: int) -> list[dt.date]:
        alone = R.Volunteer(key=1, max_shifts=28, max_consecutive_days=2, run_before=run_before)
        return sorted({d for (d, _s), key in R.build(days, [alone]).assignment.items()})

    rested, tired = worked(0), worked(2)

    assert (len(rested), rested[0]) == (19, days[0])  # 1–2, 4–5, … 28 February
    assert days[0] not in tired  # 30 and 31 January were worked already
    assert len(tired) == 18
