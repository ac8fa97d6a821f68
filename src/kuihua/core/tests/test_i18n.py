"""The English translation: complete, compiled, and what a user who switches to it sees."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

import kuihua

PO_FILE = Path(kuihua.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"
CHINESE = re.compile(r"[\u4e00-\u9fff]")
PLACEHOLDER = re.compile(r"%\(\w+\)[-+ #0]*\d*(?:\.\d+)?[sdfr]|%[sd]|\{\w*\}")


def read_po(path: Path) -> list[dict]:
    """The entries of a .po file as written by makemessages, header left out.

    Entries are separated by blank lines; each is {"msgctxt", "msgid", "msgid_plural",
    "msgstr": {index: text}, "flags"}, multi-line strings joined.
    """
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry: dict = {
            "msgctxt": None,
            "msgid": None,
            "msgid_plural": None,
            "msgstr": {},
            "flags": set(),
        }
        where, key = entry, None
        for line in block.strip().splitlines():
            if line.startswith("#,"):
                entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif match := re.fullmatch(
                r'(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])? (".*")', line
            ):
                word, index, text = match.groups()
                where, key = (
                    (entry["msgstr"], int(index or 0)) if word == "msgstr" else (entry, word)
                )
                where[key] = ast.literal_eval(text)
            else:
                assert line.startswith('"'), f"unexpected line in {path.name}: {line!r}"
                where[key] += ast.literal_eval(line)
        if entry["msgid"]:  # the header has an empty msgid; obsolete (#~) entries have none
            entries.append(entry)
    return entries


@pytest.fixture(scope="module")
def po_entries() -> list[dict]:
    return read_po(PO_FILE)


@pytest.fixture
def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def no_chinese(html: str) -> list[str]:
    return CHINESE.findall(html)


def nav(html: str, css_class: str) -> str:
    match = re.search(rf'<nav class="{css_class}".*?</nav>', html, re.S)
    assert match, f'no <nav class="{css_class}">'
    return match.group(0)


# The catalog itself


def test_the_po_file_has_a_proper_header():
    text = PO_FILE.read_text(encoding="utf-8")
    header = text.split("\n\n", 1)[0]

    assert '"Content-Type: text/plain; charset=UTF-8\\n"' in header
    assert '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"' in header
    assert '"Language: en\\n"' in header
    assert "fuzzy" not in header


def test_every_entry_is_translated_and_none_is_fuzzy(po_entries):
    translated = [
        e
        for e in po_entries
        if e["msgstr"] and all(e["msgstr"].values()) and "fuzzy" not in e["flags"]
    ]

    assert len(po_entries) > 400
    assert len(translated) == len(po_entries), [
        e["msgid"] for e in po_entries if e not in translated
    ]


def test_plural_entries_have_both_forms(po_entries):
    plurals = [e for e in po_entries if e["msgid_plural"]]

    assert plurals
    for e in plurals:
        assert sorted(e["msgstr"]) == [0, 1], e["msgid"]


def test_translations_keep_the_placeholders(po_entries):
    for e in po_entries:
        wanted = sorted(PLACEHOLDER.findall(e["msgid"]))
        for text in e["msgstr"].values():
            assert sorted(PLACEHOLDER.findall(text)) == wanted, (e["msgid"], text)


def test_the_compiled_catalog_matches_the_po_file(po_entries):
    """A stale django.mo (the .po edited, compilemessages not run) fails here."""
    catalog = trans_real.translation("en")._catalog
    for e in po_entries:
        for index, text in e["msgstr"].items():
            msgid = f"{e['msgctxt']}\x04{e['msgid']}" if e["msgctxt"] else e["msgid"]
            key = (msgid, index) if e["msgid_plural"] else msgid
            # msgfmt leaves untranslated entries out; the test above reports those.
            assert catalog.get(key, "") == text, e["msgid"]


def test_gettext_answers_in_english_for_key_strings():
    with translation.override("en"):
        assert translation.gettext("登录") == "Sign in"
        assert translation.gettext("居民信息") == "Residents"
        assert translation.gettext("社区工作者") == "Coordinator"
        assert translation.gettext("报名、候补与签到") == "Sign-up, waitlist and check-in"
        assert translation.ngettext("共 %(n)s 位居民", "共 %(n)s 位居民", 1) == "%(n)s resident"
        assert translation.ngettext("共 %(n)s 位居民", "共 %(n)s 位居民", 2) == "%(n)s residents"
    with translation.override("zh-hans"):
        assert translation.gettext("登录") == "登录"


# One Chinese word, two meanings: each meaning has its own context and its own English.
TWO_MEANINGS = [
    ("成员", "one person", "list heading"),  # a member / the members
    ("义管家", "role", "list heading"),  # a steward / the stewards
    ("义管家", "role", "area"),  # a steward / the part of the site about their books
]


@pytest.mark.parametrize(("msgid", "one", "other"), TWO_MEANINGS)
def test_a_word_with_two_meanings_reads_two_ways_in_english(po_entries, msgid, one, other):
    translated = {e["msgctxt"]: e["msgstr"].get(0, "") for e in po_entries if e["msgid"] == msgid}
    assert translated.get(one) and translated.get(other), (msgid, translated)
    assert translated[one] != translated[other], (msgid, translated)

    with translation.override("en"):
        assert translation.pgettext(one, msgid) == translated[one]
        assert translation.pgettext(other, msgid) == translated[other]


# Pages


@pytest.mark.django_db
def test_choosing_english_on_the_sign_in_page_switches_it(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": reverse("login")}, follow=True
    )

    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("login")
    assert 'lang="en"' in html
    assert "Sign in to the Kuihua community platform" in html
    assert "Username" in html and "Password" in html
    assert no_chinese(html.replace("中文", "")) == []


@pytest.mark.django_db
def test_accept_language_alone_gives_english(client):
    html = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Sign in" in html
    assert 'lang="en"' in html


@pytest.mark.django_db
def test_the_home_page_in_english(english, coordinator):
    english.force_login(coordinator)

    html = english.get(reverse("home")).content.decode()

    areas = nav(html, "areas")
    for title in ("Residents", "Social organizations", "Happiness Knocks", "Service hours"):
        assert f">{title}</a>" in areas
    assert no_chinese(areas) == []
    assert "Welcome to the Kuihua community platform" in html
    assert "Sign out" in html
    assert "Coordinator" in html  # the role beside the user's name
    assert 'value="zh-hans"' in html  # and the way back to Chinese


@pytest.mark.django_db
def test_the_resident_list_in_english(english, coordinator, community):
    english.force_login(coordinator)

    html = english.get(reverse("registry:resident_list")).content.decode()

    assert no_chinese(nav(html, "areas")) == []
    subnav = nav(html, "subnav")
    assert "Resident list" in subnav and "Resident tags" in subnav
    assert no_chinese(subnav) == []
    assert "<h1>Residents</h1>" in html
    # What may stay in Chinese is data: the community's name, the tag and compound
    # names offered in the filters, and the label of the button back to Chinese.
    leftover = html.replace(community.name, "").replace("中文", "")
    leftover = re.sub(r'<option value="[^"]+"[^>]*>[^<]*</option>', "", leftover)
    assert no_chinese(leftover) == []


# API


@pytest.mark.django_db
def test_api_errors_follow_accept_language(client, coordinator):
    client.force_login(coordinator)

    english = client.get("/api/registry/residents/999999", HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.get("/api/registry/residents/999999")

    assert english.status_code == 404
    assert english.json()["message"] == "Record not found"
    assert chinese.json()["message"] == "找不到该记录"


@pytest.mark.django_db
def test_api_401_in_english(client):
    response = client.get("/api/registry/residents", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 401
    assert response.json()["message"] == "Please sign in first"


@pytest.mark.django_db
def test_preset_tags_read_in_english_and_a_communitys_own_tag_as_typed(
    english, coordinator, community
):
    from kuihua.core.tenancy import use_community
    from kuihua.registry import services
    from kuihua.registry.tests.factories import ResidentFactory, tag

    with use_community(community):
        own = services.tag_create(actor=coordinator, name="楼道长", code="floor_head")
        ResidentFactory(
            household__building__compound__community=community,
            tags=[tag(community, "living_alone"), own],
        )
    english.force_login(coordinator)

    html = english.get(reverse("registry:resident_list")).content.decode()

    assert "Living alone" in html
    assert "楼道长" in html
