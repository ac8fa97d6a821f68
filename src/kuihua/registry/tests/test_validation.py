"""One set of rules for a resident: the form, the API and the sheet refuse the same bad
values with the same message (kuihua.registry.validation)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from openpyxl import Workbook

from kuihua.core.tenancy import use_community
from kuihua.core.tests.clock import days_from_today
from kuihua.registry.importing import residents_import_file
from kuihua.registry.models import Resident
from kuihua.registry.tests.factories import make_id_number

pytestmark = pytest.mark.django_db

BORN = dt.date(1942, 5, 1)
GOOD_ID = make_id_number(BORN, 7, male=True)


def _bad_checksum() -> str:
    return GOOD_ID[:-1] + ("0" if GOOD_ID[-1] != "0" else "1")


def _future_birth() -> dt.date:
    return days_from_today(3)


# (what is wrong, field, the person's values, the message every path gives)
BAD = [
    ("empty name", "name", {"name": " "}, "姓名不能为空"),
    ("digits in the name", "name", {"name": "王2芳"}, "姓名里不能有数字，请检查是否与别的列串了"),
    ("bad checksum", "id_number", {"id_number": _bad_checksum()}, "身份证号码校验位不正确"),
    (
        "masked ID",
        "id_number",
        {"id_number": GOOD_ID[:6] + "********" + GOOD_ID[14:]},
        "身份证号码已脱敏（含 *），不能导入；请使用完整号码",
    ),
    (
        "birth date against the ID",
        "birth_date",
        {"birth_date": dt.date(1942, 5, 2)},
        "出生日期与身份证号码不一致（身份证上为 1942-05-01）",
    ),
    (
        "sex against the ID",
        "sex",
        {"sex": "F"},
        "性别与身份证号码不一致（身份证上为男）",
    ),
    ("malformed phone", "phone", {"phone": "1381234567"}, "电话号码格式不正确"),
    (
        "masked phone",
        "phone",
        {"phone": "138****1234"},
        "电话号码已脱敏（含 *），不能导入；请使用完整号码",
    ),
]
# Without an ID number, a birth date is checked on its own.
BAD_WITHOUT_ID = [
    ("birth date in the future", "birth_date", _future_birth, "出生日期不能晚于今天"),
    (
        "birth date before 1900",
        "birth_date",
        lambda: dt.date(1899, 12, 31),
        "出生日期早于1900年，请检查",
    ),
]

COLUMN = {
    "name": "姓名",
    "id_number": "身份证号码",
    "birth_date": "出生日期",
    "sex": "性别",
    "phone": "联系电话",
}
SHEET_SEX = {"M": "男", "F": "女", "": ""}


def _person(**overrides) -> dict:
    person = {
        "name": "赵六",
        "id_number": GOOD_ID,
        "birth_date": None,
        "sex": "",
        "phone": "13700001234",
    }
    person.update(overrides)
    return person


def _through_api(client, person: dict) -> tuple[int, str]:
    payload = {
        **person,
        "birth_date": person["birth_date"].isoformat() if person["birth_date"] else None,
        "address": {"compound": "翠苑一区", "building": "1幢", "room": "101"},
    }
    response = client.post("/api/registry/residents", payload, content_type="application/json")
    [error] = response.json()["errors"]
    return response.status_code, error["message"]


def _through_form(client, compound, person: dict) -> str:
    data = {
        **person,
        "birth_date": person["birth_date"].isoformat() if person["birth_date"] else "",
        "ethnicity": "汉族",
        "compound": str(compound.pk),
        "building": "9幢",
        "unit": "2",
        "room": "301",
        "relation_to_head": "head",
        "political_status": "masses",
    }
    response = client.post(reverse("registry:resident_create"), data)
    assert response.status_code == 200  # the form again, not a redirect
    return response.content.decode()


def _through_sheet(tmp_path, person: dict):
    workbook = Workbook()
    sheet = workbook.active
    headers = ["姓名", "性别", "身份证号码", "出生日期", "联系电话", "小区", "楼栋", "室"]
    sheet.append(headers)
    sheet.append(
        [
            person["name"],
            SHEET_SEX[person["sex"]],
            person["id_number"],
            # as text: Excel has no dates before 1900
            person["birth_date"].isoformat() if person["birth_date"] else None,
            person["phone"],
            "翠苑一区",
            "1幢",
            "101",
        ]
    )
    path = tmp_path / "one.xlsx"
    workbook.save(path)
    return residents_import_file(path, actor=None)


def _cases():
    for label, field, overrides, message in BAD:
        yield pytest.param(field, lambda o=overrides: o, message, id=label)
    for label, field, birth, message in BAD_WITHOUT_ID:
        yield pytest.param(
            field, lambda b=birth: {"id_number": "", "birth_date": b()}, message, id=label
        )


@pytest.mark.parametrize(("field", "overrides", "message"), list(_cases()))
def test_form_api_and_sheet_refuse_the_same_value_with_the_same_message(
    client, coordinator, community, compound, tmp_path, field, overrides, message
):
    person = _person(**overrides())
    client.force_login(coordinator)

    # the API
    status, api_message = _through_api(client, person)
    assert (status, api_message) == (400, message)

    # the form
    assert message in _through_form(client, compound, person)

    # the sheet
    with use_community(community):
        report = _through_sheet(tmp_path, person)
    assert [(e.row, e.column, e.message) for e in report.errors] == [(2, COLUMN[field], message)]

    with use_community(community):
        assert not Resident.objects.exists()


def test_the_same_good_person_goes_in_through_every_path(
    client, coordinator, community, compound, tmp_path
):
    client.force_login(coordinator)

    response = client.post(
        "/api/registry/residents",
        {**_person(), "birth_date": BORN.isoformat(), "sex": "M"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    with use_community(community):
        Resident.objects.all().delete()
        report = _through_sheet(tmp_path, _person(birth_date=BORN, sex="M"))

    assert (report.imported, report.errors) == (1, [])
