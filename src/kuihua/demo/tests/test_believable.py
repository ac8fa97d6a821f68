"""The demo community keeps the spell: people's names in the top bar, offers that
follow from what each provider is, a year of volunteer hours, a care board that
looks like a day at whatever hour it was seeded (issue 13)."""

import collections

import pytest

from kuihua.accounts.models import Role, User
from kuihua.care.selectors import UNWATCHED, board
from kuihua.core.tenancy import use_community
from kuihua.core.tests.clock import at, days_from_today, today
from kuihua.demo.logins import demo_accounts_ensure
from kuihua.demo.write import generate_community
from kuihua.matching.demo import plausible_categories
from kuihua.matching.models import Proposal, ServiceOffer
from kuihua.service_records.models import PointsEntry, ServiceRecord
from kuihua.service_records.selectors import star_level, volunteer_totals_list

SCALE = 0.1
ROLE_NAMES = {str(label) for label in Role.labels}


@pytest.mark.django_db
def test_every_demo_login_is_a_person_not_a_role():
    # given the demo community and its logins
    community = generate_community(index=1, scale=SCALE)

    # when the logins are made
    logins = demo_accounts_ensure(community=community)

    # then the top bar reads "王丽 · 社区工作者": a Chinese name, never a role's
    users = User.objects.filter(username__in=[login.username for login in logins])
    assert users.count() == len(Role.values)
    for user in users:
        name = str(user)
        assert name not in ROLE_NAMES
        assert name != user.username
        assert 2 <= len(name) <= 4
        if user.resident_id:
            assert name == user.resident.name
    # and a second run gives the same people the same names
    again = {u.username: str(u) for u in users}
    demo_accounts_ensure(community=community)
    assert {u.username: str(u) for u in users.all()} == again


@pytest.mark.django_db
def test_offers_follow_from_what_each_provider_is_and_the_fit_term_varies():
    # given the demo community
    community = generate_community(index=1, scale=SCALE)

    with use_community(community):
        offers = list(
            ServiceOffer.objects.select_related("organization", "partner").prefetch_related(
                "categories"
            )
        )
        fits = set(Proposal.objects.exclude(offer=None).values_list("cost_fit", flat=True))

    # then every organization's and partner unit's offer is what such a provider does
    institutional = [o for o in offers if o.organization_id or o.partner_id]
    assert len(institutional) >= 5
    for offer in institutional:
        provider = offer.organization or offer.partner
        offered = {c.code for c in offer.categories.all()}
        assert offered <= plausible_categories(provider.name), (provider.name, offered)
    school = [o for o in institutional if o.partner and "小学" in o.partner.name]
    assert school
    assert all("rehabilitation" not in {c.code for c in o.categories.all()} for o in school)
    # and some providers take on a secondary category, so the fit term is not always 0
    assert any(len(o.categories.all()) > 1 for o in institutional)
    assert fits & {0} and fits - {0}


@pytest.mark.django_db
def test_a_year_of_service_hours_mostly_verified_with_stars():
    # given the demo community
    community = generate_community(index=1, scale=SCALE)

    with use_community(community):
        statuses = collections.Counter(ServiceRecord.objects.values_list("status", flat=True))
        dates = ServiceRecord.objects.exclude(reason__contains="系统启用前").values_list(
            "date", flat=True
        )
        ranking = volunteer_totals_list(limit=1000)
        points = PointsEntry.objects.filter(kind=PointsEntry.Kind.EARN).count()

    # then there are hours, most of them verified, each verified one with its points
    total = sum(statuses.values())
    assert total > 500
    assert statuses[ServiceRecord.Status.VERIFIED] > 0.9 * total
    assert points == statuses[ServiceRecord.Status.VERIFIED]
    # within the year before the generation day
    assert min(dates) >= days_from_today(-366)
    assert max(dates) <= today()
    # volunteers have stars, and a long-serving leader the top one
    stars = [star_level(row["lifetime_hours"]) for row in ranking]
    assert sum(s > 0 for s in stars) > len(stars) / 3
    assert max(stars) == 5


@pytest.mark.django_db
def test_a_board_seeded_late_in_the_evening_shows_the_day_not_unwatched(clock):
    # given a community seeded at nine in the evening
    clock.move_to(at(today(), 21, 0))
    community = generate_community(index=1, scale=SCALE)

    # when the coordinator opens the care board
    with use_community(community):
        counts = board()["counts"]

    # then today's windows are done, a few alerted or paused, hardly any 未纳入
    windows = sum(counts.values())
    assert windows > 20
    assert counts["done"] > 0.8 * windows
    assert counts[UNWATCHED] <= 0.05 * windows
    assert counts["pending"] == counts["open"] == 0
