"""The printable statement (收支公示) in Chinese: what a resident pins in the stairwell
reads as the page does."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.urls import reverse

from kuihua.stewards.tests.books_world import books_world

pytestmark = pytest.mark.django_db

PDFTOTEXT = shutil.which("pdftotext")


@pytest.fixture
def bw(in_community, coordinator):
    return books_world(in_community, coordinator)


def pdf_text(body: bytes, tmp_path) -> str:
    path = tmp_path / "statement.pdf"
    path.write_bytes(body)
    done = subprocess.run(  # noqa: S603 (a fixed program on a file of our own)
        [PDFTOTEXT, "-layout", str(path), "-"], capture_output=True, check=True, text=True
    )
    return done.stdout


@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed")
def test_the_statement_pdf_carries_the_months_figures_in_chinese(client, bw, tmp_path):
    client.force_login(bw.resident)

    response = client.get(
        reverse("stewards:books_statement_pdf", args=[bw.compound.pk]),
        {"month": bw.month.strftime("%Y-%m")},
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content, tmp_path)
    assert f"红旗新村 {bw.month.year}年{bw.month.month}月收支公示" in text
    for words in ("月初结余", "本月收入", "本月支出", "月末结余", "物业服务费收入", "保洁费"):
        assert words in text
    for figure in ("100.00", "1,240.00", "800.50", "539.50", "25.0%", "33.3%"):
        assert figure in text


def test_a_month_without_entries_still_prints(client, bw):
    client.force_login(bw.steward)

    response = client.get(
        reverse("stewards:books_statement_pdf", args=[bw.compound.pk]), {"month": "2001-01"}
    )

    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
