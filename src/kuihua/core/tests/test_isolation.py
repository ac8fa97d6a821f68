"""Can a user of community A reach community B's objects? Every route, every id: no.

The walk reads every URL pattern (pages) and every API operation (from the
OpenAPI schema), fills each path parameter named `<thing>_id` with the id of
community B's object of that kind, and expects 404 for every method. A new
route is walked automatically; one with a parameter this file cannot fill fails
`test_every_path_parameter_is_known` until OBJECTS learns it.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from kuihua.accounts.models import ApiToken, Role
from kuihua.accounts.tests.factories import UserFactory
from kuihua.activities.tests.world import activities_world
from kuihua.care.tests.factories import care_world
from kuihua.config.api import api
from kuihua.core.tenancy import use_community
from kuihua.council.tests.factories import council_world
from kuihua.market.tests.factories import market_isolation_world
from kuihua.matching.tests.factories import matching_world
from kuihua.notifications.services import notify
from kuihua.organizations import services as org_services
from kuihua.organizations.models import Membership
from kuihua.organizations.tests.factories import MembershipFactory, OrganizationFactory
from kuihua.projects.tests.factories import projects_isolation_world
from kuihua.registry import services as registry_services
from kuihua.registry.tests.factories import ResidentFactory, tag
from kuihua.service_records.tests.factories import service_world
from kuihua.stewards.tests.factories import stewards_isolation_world
from kuihua.venues.tests.factories import BookingFactory

pytestmark = pytest.mark.django_db

# Path parameter name -> how to get that object's id from a community's world.
OBJECTS = {
    "resident_id": lambda w: w["resident"].pk,
    "household_id": lambda w: w["resident"].household_id,
    "compound_id": lambda w: w["resident"].household.building.compound_id,
    "ownership_id": lambda w: w["ownership"].pk,
    "organization_id": lambda w: w["organization"].pk,
    "membership_id": lambda w: w["membership"].pk,
    "partner_id": lambda w: w["partner"].pk,
    "tag_id": lambda w: w["tag"].pk,
    "token_id": lambda w: w["token"].pk,
    "record_id": lambda w: w["record"].pk,
    "correction_id": lambda w: w["correction"].pk,
    "certificate_id": lambda w: w["certificate"].pk,
    "room_id": lambda w: w["booking"].room_id,
    "booking_id": lambda w: w["booking"].pk,
    "message_id": lambda w: w["message"].pk,
    "activity_id": lambda w: w["activity"].pk,
    "series_id": lambda w: w["series"].pk,
    "skipped_id": lambda w: w["skipped"].pk,
    "drive_id": lambda w: w["drive"].pk,
    "signup_id": lambda w: w["signup"].pk,
    "need_id": lambda w: w["need"].pk,
    "offer_id": lambda w: w["offer"].pk,
    "run_id": lambda w: w["run"].pk,
    "proposal_id": lambda w: w["proposal"].pk,
    "alert_id": lambda w: w["alert"].pk,
    "recipient_id": lambda w: w["recipient"].pk,
    "shift_id": lambda w: w["shift"].pk,
    "swap_id": lambda w: w["swap"].pk,
    "incident_id": lambda w: w["incident"].pk,
    "rules_id": lambda w: w["rules"].pk,
    "delegate_id": lambda w: w["delegate"].pk,
    "topic_id": lambda w: w["topic"].pk,
    "comment_id": lambda w: w["comment"].pk,
    "meeting_id": lambda w: w["meeting"].pk,
    "agenda_item_id": lambda w: w["agenda_item"].pk,
    "attendee_id": lambda w: w["attendee"].pk,
    "vote_id": lambda w: w["vote"].pk,
    "voter_id": lambda w: w["voter"].pk,
    "decision_id": lambda w: w["decision"].pk,
    "assignment_id": lambda w: w["assignment"].pk,
    "bill_id": lambda w: w["bill"].pk,
    "payment_id": lambda w: w["payment"].pk,
    "entry_id": lambda w: w["entry"].pk,
    "project_id": lambda w: w["project"].pk,
    "milestone_id": lambda w: w["milestone"].pk,
    "funding_id": lambda w: w["funding"].pk,
    "expense_id": lambda w: w["expense"].pk,
    "indicator_id": lambda w: w["indicator"].pk,
    "market_day_id": lambda w: w["market_day"].pk,
    "stall_id": lambda w: w["stall"].pk,
    "item_id": lambda w: w["stall_item"].pk,
    "sale_id": lambda w: w["sale"].pk,
}
# Path parameters that name no community object (the walk leaves those routes alone).
NOT_OBJECTS = {"area_key", "code", "token"}
# Routes that are not a community's objects.
IGNORED_PREFIXES = ("admin/", "i18n/", "static/", "api/")
METHODS = ("get", "post", "put", "patch", "delete")


def build_world(community, username: str) -> dict:
    """One of everything in `community`, plus its coordinator and an org leader."""
    with use_community(community):
        coordinator = UserFactory(
            username=f"{username}-coordinator", role=Role.COORDINATOR, community=community
        )
        leader_membership = MembershipFactory(
            organization__community=community, role=Membership.Role.LEADER
        )
        organization = leader_membership.organization
        org_services.organization_set_leader(
            actor=coordinator, organization=organization, resident=leader_membership.resident
        )
        membership = MembershipFactory(organization=organization)
        resident = ResidentFactory(household__building__compound__community=community)
        partner = org_services.partner_unit_create(
            actor=coordinator, name=f"{username}养老院", kind="institution"
        )
        leader = UserFactory(
            username=f"{username}-leader",
            role=Role.ORG_LEADER,
            community=community,
            resident=leader_membership.resident,
        )
        token, _plain = ApiToken.issue(user=coordinator, name="isolation")
        return {
            "community": community,
            "coordinator": coordinator,
            "leader": leader,
            "organization": organization,
            "membership": membership,
            "resident": resident,
            # an owner of the resident's home who lives elsewhere
            "ownership": registry_services.owner_add(
                actor=coordinator, household=resident.household, name=f"{username}业主"
            ),
            "partner": partner,
            "tag": tag(community, "living_alone"),
            "token": token,
            **service_world(coordinator=coordinator, organization=organization, resident=resident),
            "booking": BookingFactory(community=community, room__community=community),
            "message": notify(recipient=coordinator, kind="isolation", title="隔离测试"),
            **activities_world(coordinator=coordinator, organization=organization),
            **matching_world(coordinator=coordinator, organization=organization, resident=resident),
            **care_world(coordinator=coordinator, resident=resident),
            **council_world(coordinator=coordinator, resident=resident),
            **stewards_isolation_world(community=community, coordinator=coordinator),
            **projects_isolation_world(
                community=community,
                coordinator=coordinator,
                organization=organization,
                resident=resident,
            ),
            **market_isolation_world(community=community, coordinator=coordinator),
        }


@pytest.fixture
def worlds(community, other_community):
    return build_world(community, "a"), build_world(other_community, "b")


# --- the routes -----------------------------------------------------------------------


def page_routes() -> list[tuple[str, list[str]]]:
    """(route with <name> placeholders, parameter names) for every page URL with parameters."""
    found: list[tuple[str, list[str]]] = []

    def walk(patterns, prefix: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if route.startswith(IGNORED_PREFIXES):
                continue
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern):
                names = re.findall(r"<(?:\w+:)?(\w+)>", route)
                if names and not set(names) & NOT_OBJECTS:
                    found.append((route, names))

    walk(get_resolver().url_patterns, "")
    return found


def api_operations() -> list[tuple[str, str, list[str], dict | None]]:
    """(method, path, parameter names, example body) for every API operation with parameters."""
    schema = api.get_openapi_schema()
    components = schema.get("components", {}).get("schemas", {})
    found = []
    for path, item in schema["paths"].items():
        names = re.findall(r"{(\w+)}", path)
        if not names:
            continue
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            body = None
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" in content:
                body = example(content["application/json"]["schema"], components)
            found.append((method, path, names, body))
    return found


def example(schema: dict, components: dict):
    """A minimal value valid for `schema`, so that validation passes and the handler runs."""
    if "$ref" in schema:
        return example(components[schema["$ref"].rsplit("/", 1)[-1]], components)
    for combiner in ("allOf", "anyOf", "oneOf"):
        if combiner in schema:
            options = [s for s in schema[combiner] if s.get("type") != "null"]
            return example(options[0], components)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return {
            name: example(sub, components)
            for name, sub in schema.get("properties", {}).items()
            if name in schema.get("required", [])
        }
    if kind == "array":
        return []
    if kind == "integer":
        return 1
    if kind == "number":
        return 1
    if kind == "boolean":
        return True
    if schema.get("format") == "date":
        return dt.date(2020, 1, 1).isoformat()
    if schema.get("format") == "date-time":
        return "2020-01-01T00:00:00+08:00"
    return "测试"


def fill(template: str, names: list[str], world: dict, *, api_style: bool) -> str:
    url = template
    for name in names:
        value = str(OBJECTS[name](world))
        if api_style:
            url = url.replace("{" + name + "}", value)
        else:
            url = re.sub(r"<(?:\w+:)?" + name + ">", value, url)
    return url if api_style else "/" + url


# --- the walk --------------------------------------------------------------------------


def test_every_path_parameter_is_known():
    names = {n for _route, ns in page_routes() for n in ns}
    names |= {n for _m, _p, ns, _b in api_operations() for n in ns}
    assert names <= set(OBJECTS), f"teach OBJECTS these parameters: {names - set(OBJECTS)}"


def test_the_walk_covers_pages_and_api():
    assert len(page_routes()) >= 3
    assert len(api_operations()) >= 10


def test_pages_of_another_community_are_404(client, worlds):
    mine, theirs = worlds
    client.force_login(mine["coordinator"])
    refused = []
    for route, names in page_routes():
        url = fill(route, names, theirs, api_style=False)
        for method in ("get", "post"):
            status = getattr(client, method)(url).status_code
            if status != 404:
                refused.append((method, url, status))
    assert refused == []


def test_api_of_another_community_is_404_with_a_session(client, worlds):
    mine, theirs = worlds
    client.force_login(mine["coordinator"])
    leaks = []
    for method, path, names, body in api_operations():
        url = fill(path, names, theirs, api_style=True)
        response = getattr(client, method)(
            url, data=body if body is not None else None, content_type="application/json"
        )
        if response.status_code != 404:
            leaks.append((method.upper(), url, response.status_code))
    assert leaks == []


def test_api_of_another_community_is_404_with_a_token(client, worlds):
    mine, theirs = worlds
    _token, plain = ApiToken.issue(user=mine["coordinator"], name="walk")
    headers = {"Authorization": f"Bearer {plain}"}
    leaks = []
    for method, path, names, body in api_operations():
        url = fill(path, names, theirs, api_style=True)
        response = getattr(client, method)(
            url,
            data=body if body is not None else None,
            content_type="application/json",
            headers=headers,
        )
        if response.status_code != 404:
            leaks.append((method.upper(), url, response.status_code))
    assert leaks == []


def test_the_walk_reaches_our_own_objects(client, worlds):
    """The same GETs with our own ids succeed: the 404s above are about ownership."""
    mine, _theirs = worlds
    client.force_login(mine["coordinator"])
    failures = []
    for method, path, names, _body in api_operations():
        if method != "get" or "token_id" in names:
            continue
        url = fill(path, names, mine, api_style=True)
        status = client.get(url).status_code
        if status != 200:
            failures.append((url, status))
    assert failures == []


def test_an_organization_leader_cannot_manage_another_organization(client, worlds):
    """Within one community: writes to an organization a leader does not lead are 404."""
    mine, _theirs = worlds
    with use_community(mine["community"]):
        other_org = OrganizationFactory(community=mine["community"])
        other_membership = MembershipFactory(organization=other_org)
    world = dict(mine, organization=other_org, membership=other_membership)
    client.force_login(mine["leader"])
    leaks = []
    for method, path, names, body in api_operations():
        if method == "get" or "organization_id" not in names:
            continue
        url = fill(path, names, world, api_style=True)
        response = getattr(client, method)(
            url, data=body if body is not None else None, content_type="application/json"
        )
        if response.status_code != 404:
            leaks.append((method.upper(), url, response.status_code))
    for route, names in page_routes():
        if "organization_id" not in names or route.rstrip("/").endswith("<int:organization_id>"):
            continue  # the public profile page itself is readable by the whole community
        url = fill(route, names, world, api_style=False)
        for method in ("get", "post"):
            status = getattr(client, method)(url).status_code
            if status != 404:
                leaks.append((method.upper(), url, status))
    assert leaks == []


# --- lists: pages and API reads without an id ----------------------------------------

# Written into community B's world so that any list that shows B's rows gives itself away.
B_MARKERS = ("乙社区标记居民", "乙社区标记组织", "b-coordinator", "b养老院")


def list_routes() -> list[str]:
    """Every page URL without parameters (the lists, boards and forms)."""
    found: list[str] = []

    def walk(patterns, prefix: str) -> None:
        for p in patterns:
            route = prefix + str(p.pattern)
            if route.startswith(IGNORED_PREFIXES):
                continue
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif isinstance(p, URLPattern) and "<" not in route and not route.startswith("^"):
                found.append("/" + route)

    walk(get_resolver().url_patterns, "")
    return found


def api_list_paths() -> list[str]:
    return [
        path
        for path, item in api.get_openapi_schema()["paths"].items()
        if "get" in item and "{" not in path
    ]


def test_no_list_shows_another_communitys_rows(client, worlds):
    """Every page and API read without an id, for A's coordinator, leader and duty
    volunteer: nothing of B's appears (names, usernames, partner units)."""
    from kuihua.organizations.models import Organization
    from kuihua.registry.models import Resident

    mine, theirs = worlds
    with use_community(theirs["community"]):
        Resident.objects.filter(pk=theirs["resident"].pk).update(name=B_MARKERS[0])
        Organization.objects.filter(pk=theirs["organization"].pk).update(name=B_MARKERS[1])
    with use_community(mine["community"]):
        from kuihua.accounts.models import User

        duty = User.objects.get(username="a-coordinator-duty0")
    with use_community(mine["community"]):
        Resident.objects.filter(pk=mine["resident"].pk).update(name="甲社区标记居民")
    pages, reads = list_routes(), api_list_paths()
    assert len(pages) >= 10 and len(reads) >= 10
    leaks, own_seen = [], set()
    for user in (mine["coordinator"], mine["leader"], duty):
        client.force_login(user)
        for url in pages + reads:
            response = client.get(url)
            # A file (the dashboards' Excel exports) streams; its bytes are read all the same.
            raw = b"".join(response.streaming_content) if response.streaming else response.content
            body = raw.decode(errors="replace")
            leaks += [(user.username, url, m) for m in B_MARKERS if m in body]
            own_seen |= {url for own in ("甲社区标记居民", "a-coordinator") if own in body}
    assert leaks == []
    # the lists do show rows like these: A's own appear in several of them
    assert {"/registry/residents/", "/api/registry/residents"} & own_seen, own_seen
    assert "/care/duty/" in own_seen
    assert "/care/people/" in own_seen  # A's trained visitor is offered, B's never
