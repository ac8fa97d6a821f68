"""The board and the programme's sub-navigation, as each reader sees them.

Every care page offers the pages its reader may use (and no other); names on the
board open the person's page only for those the page lets in; each state of a
window shows its own colour, sign and words.
"""

from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kuihua.accounts.models import Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.care import services
from kuihua.care.models import DutyShift
from kuihua.care.sweep import windows_sweep
from kuihua.core.tests.clock import at, days_from_today, today
from kuihua.registry.tests.factories import ResidentFactory
from kuihua.training.services import training_record

pytestmark = pytest.mark.django_db

BOARD, PEOPLE, ROTA, DUTY, VISITS = "今日签到", "关爱对象", "值班表", "我的值班", "我的探访"
FIGURES = "关爱统计"
HREFS = {
    BOARD: "/care/",
    PEOPLE: "/care/people/",
    ROTA: "/care/rota/",
    DUTY: "/care/duty/",
    VISITS: "/care/visits/",
    FIGURES: "/care/figures/",
}


class _Page(HTMLParser):
    """The sub-navigation's links, the board's name cells and its state chips."""

    def __init__(self):
        super().__init__()
        self.subnav: list[dict] = []
        self.names: list[dict] = []
        self.chips: list[dict] = []
        self._in_subnav = False
        self._link = None
        self._name_cell = None
        self._chip = None
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "nav" and "subnav" in classes:
            self._in_subnav = True
        elif tag == "a" and self._in_subnav:
            self._link = {"href": attrs["href"], "current": attrs.get("aria-current"), "text": ""}
        elif tag == "td" and attrs.get("data-label") == "居民":
            self._name_cell = {"text": "", "href": None}
        elif tag == "a" and self._name_cell is not None:
            self._name_cell["href"] = attrs["href"]
        if self._chip is not None:
            self._depth += 1
            if attrs.get("aria-hidden") == "true":
                self._chip["hidden_sign"] = True
        elif tag == "span" and "care-state" in classes:
            self._chip = {"classes": set(classes), "text": "", "hidden_sign": False}
            self._depth = 0

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_subnav = False
        elif tag == "a" and self._link is not None:
            self.subnav.append(self._link)
            self._link = None
        elif tag == "td" and self._name_cell is not None:
            self.names.append(self._name_cell)
            self._name_cell = None
        if self._chip is not None and tag == "span":
            if self._depth == 0:
                self._chip["text"] = " ".join(self._chip["text"].split())
                self.chips.append(self._chip)
                self._chip = None
            else:
                self._depth -= 1

    def handle_data(self, data):
        for part in (self._link, self._name_cell, self._chip):
            if part is not None:
                part["text"] += data


def read(response) -> _Page:
    assert response.status_code == 200
    page = _Page()
    page.feed(response.content.decode())
    return page


def subnav_of(response) -> dict[str, dict]:
    return {link["text"].strip(): link for link in read(response).subnav}


def trained_volunteer(community, coordinator, username):
    user = UserFactory(username=username, role=Role.VOLUNTEER, community=community)
    training_record(
        actor=coordinator, user=user, course="探访培训", completed_on=days_from_today(-10)
    )
    return user


def on_duty_now(user):
    DutyShift.objects.create(
        day=today(), index=7, starts=dt.time(0, 0), ends=dt.time(23, 59, 59), user=user
    )


def enrol(community, coordinator, name, **kwargs):
    resident = ResidentFactory(household__building__compound__community=community, name=name)
    return services.recipient_enrol(actor=coordinator, resident=resident, **kwargs)


# --- the sub-navigation ---------------------------------------------------------------


@pytest.mark.parametrize(
    "url, current",
    [
        ("/care/", BOARD),
        ("/care/people/", PEOPLE),
        ("/care/rota/", ROTA),
        ("/care/duty/", DUTY),
        ("/care/visits/", VISITS),
        ("/care/figures/", FIGURES),
    ],
)
def test_a_coordinator_finds_every_care_page_from_each_and_sees_where_they_are(
    client, coordinator, url, current
):
    client.force_login(coordinator)

    links = subnav_of(client.get(url))

    assert list(links) == [BOARD, PEOPLE, ROTA, DUTY, VISITS, FIGURES]
    assert {text: link["href"] for text, link in links.items()} == HREFS
    assert [text for text, link in links.items() if link["current"] == "page"] == [current]


def test_the_person_and_alert_pages_carry_the_sub_navigation_too(client, in_community, coordinator):
    recipient = enrol(in_community, coordinator, "张桂芳")
    alert = services.check_in(
        actor=coordinator, recipient=recipient, channel="call", result="no_answer"
    ).alert
    client.force_login(coordinator)

    for url in (f"/care/people/{recipient.pk}/", f"/care/alerts/{alert.pk}/"):
        links = subnav_of(client.get(url))
        assert list(links) == [BOARD, PEOPLE, ROTA, DUTY, VISITS, FIGURES]
        assert not any(link["current"] for link in links.values())


def test_a_visiting_volunteer_sees_their_visits_and_duty_and_reaches_my_duty_by_a_link(
    client, in_community, coordinator
):
    visitor = trained_volunteer(in_community, coordinator, "xiaowang")
    enrol(in_community, coordinator, "张桂芳", primary_visitor=visitor)
    client.force_login(visitor)

    landed = client.get("/care/", follow=True)  # the menu's entry sends them to their visits
    links = subnav_of(landed)

    assert list(links) == [DUTY, VISITS]
    assert links[VISITS]["current"] == "page"
    duty = client.get(links[DUTY]["href"])
    assert subnav_of(duty)[DUTY]["current"] == "page"
    # the pages left out would have refused them
    assert client.get("/care/people/").status_code == 404
    assert client.get("/care/rota/").status_code == 404


def test_a_volunteer_who_visits_nobody_is_offered_the_duty_line_only(client, in_community):
    client.force_login(UserFactory(role=Role.VOLUNTEER, community=in_community))

    assert list(subnav_of(client.get("/care/duty/"))) == [DUTY]


def test_the_volunteer_on_duty_now_also_finds_the_board(client, in_community, coordinator):
    officer = trained_volunteer(in_community, coordinator, "zhiban")
    on_duty_now(officer)
    client.force_login(officer)

    links = subnav_of(client.get("/care/"))

    assert list(links) == [BOARD, DUTY]
    assert links[BOARD]["current"] == "page"


def test_a_resident_holding_a_shift_sees_my_duty_and_nothing_of_the_coordinators(
    client, in_community
):
    resident = UserFactory(role=Role.RESIDENT, community=in_community)
    client.force_login(resident)
    assert list(subnav_of(client.get("/care/visits/"))) == []  # no care page is theirs

    DutyShift.objects.create(
        day=days_from_today(3), index=0, starts=dt.time(8), ends=dt.time(14), user=resident
    )

    assert list(subnav_of(client.get("/care/visits/"))) == [DUTY]


# --- names on the board ------------------------------------------------------------------


def test_names_on_the_board_open_the_persons_page_for_a_coordinator(
    client, in_community, coordinator
):
    recipient = enrol(in_community, coordinator, "张桂芳")
    client.force_login(coordinator)

    [name] = read(client.get("/care/")).names

    assert (name["text"], name["href"]) == ("张桂芳", f"/care/people/{recipient.pk}/")
    assert client.get(name["href"]).status_code == 200


def test_names_stay_plain_for_a_duty_volunteer_the_persons_page_would_refuse(
    client, in_community, coordinator
):
    officer = trained_volunteer(in_community, coordinator, "zhiban")
    on_duty_now(officer)
    recipient = enrol(in_community, coordinator, "张桂芳", primary_visitor=officer)
    client.force_login(officer)

    [name] = read(client.get("/care/")).names

    assert (name["text"], name["href"]) == ("张桂芳", None)
    assert client.get(f"/care/people/{recipient.pk}/").status_code == 404


def test_the_board_reads_the_same_number_of_queries_for_one_person_or_many(
    client, in_community, coordinator
):
    officer = trained_volunteer(in_community, coordinator, "zhiban")
    on_duty_now(officer)
    enrol(in_community, coordinator, "张桂芳", primary_visitor=officer)
    client.force_login(officer)
    client.get("/care/")

    with CaptureQueriesContext(connection) as one:
        client.get("/care/")
    for name in ("李大妈", "王秀英", "赵德福"):
        enrol(in_community, coordinator, name, primary_visitor=officer)
    with CaptureQueriesContext(connection) as four:
        page = client.get("/care/")

    assert len(read(page).names) == 4
    assert len(four) == len(one)


# --- the states of a window --------------------------------------------------------------

SHOWN = {
    "done": ("✓", "已签到"),
    "pending": ("○", "未到时间"),
    "open": ("◔", "签到中"),
    "late": ("✗", "已超时"),
    "alerted": ("⚠", "已报警"),
    "paused": ("‖", "暂停"),
    "unwatched": ("⊘", "未纳入"),
}


def test_each_state_on_the_board_has_its_own_colour_sign_and_words(
    client, clock, in_community, coordinator
):
    # Today at noon, windows 08:00–10:00 and 16:00–18:00 unless said otherwise.
    day, yesterday = today(), days_from_today(-1)
    clock.move_to(at(day, 12))
    evening = at(yesterday, 20)
    well = enrol(in_community, coordinator, "甲", now=evening)  # checked in: done, pending
    services.check_in(
        actor=coordinator, recipient=well, channel="call", at=at(day, 8) + dt.timedelta(minutes=30)
    )
    enrol(in_community, coordinator, "乙", now=evening)  # missed the morning: alerted
    enrol(  # closed at 11:00, not swept yet: late; then open
        in_community,
        coordinator,
        "丙",
        now=evening,
        windows=[["08:00", "11:00"], ["11:30", "13:00"]],
    )
    paused = enrol(in_community, coordinator, "丁", now=evening)
    services.recipient_pause(
        actor=coordinator, recipient=paused, until=day, reason="住院", now=evening
    )
    windows_sweep(now=at(day, 10) + dt.timedelta(minutes=1))
    enrol(in_community, coordinator, "戊", now=at(day, 11))  # the morning before: unwatched
    client.force_login(coordinator)

    page = read(client.get("/care/"))

    table = page.chips[len(SHOWN) :]  # the summary's chips come first, one per state
    for state, (sign, words) in SHOWN.items():
        mine = [chip for chip in table if f"care-{state}" in chip["classes"]]
        assert mine, state
        assert all(chip["text"] == f"{sign} {words}" for chip in mine), mine
        assert all(chip["hidden_sign"] for chip in mine)  # the words are what is read out
    summary = page.chips[: len(SHOWN)]
    assert [chip["text"].rsplit(" ", 1)[0] for chip in summary] == [
        f"{sign} {words}" for sign, words in SHOWN.values()
    ]
    # one colour class per state, and no internal code among the words
    assert len({frozenset(chip["classes"]) for chip in page.chips}) == len(SHOWN)
    assert not any(state in chip["text"] for chip in page.chips for state in SHOWN)
