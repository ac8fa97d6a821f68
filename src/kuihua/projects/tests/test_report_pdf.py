"""The project report's PDF, in Chinese, for the funder's file: rendered to an image it
shows its pages, and its text layer reads as the report page does."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.urls import reverse

from kuihua.core.tests.clock import today
from kuihua.projects.report import project_report
from kuihua.projects.report_pdf import render_report_pdf
from kuihua.projects.tests.report_world import grow, report_world

pytestmark = pytest.mark.django_db

PDFTOTEXT = shutil.which("pdftotext")
PDFTOPPM = shutil.which("pdftoppm")
needs_poppler = pytest.mark.skipif(
    PDFTOTEXT is None or PDFTOPPM is None, reason="poppler-utils is not installed"
)


@pytest.fixture
def rw(in_community, coordinator):
    return report_world(in_community, coordinator)


def pdf_text(body: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(body)
    done = subprocess.run(  # noqa: S603 (a fixed program on a file of our own)
        [PDFTOTEXT, "-layout", str(path), "-"], capture_output=True, check=True, text=True
    )
    return done.stdout


def pdf_pages_as_png(body: bytes, tmp_path) -> list:
    path = tmp_path / "report.pdf"
    path.write_bytes(body)
    subprocess.run(  # noqa: S603 (a fixed program on a file of our own)
        [PDFTOPPM, "-png", "-r", "50", str(path), str(tmp_path / "page")],
        capture_output=True,
        check=True,
    )
    return sorted(tmp_path.glob("page*.png"))


@needs_poppler
def test_the_report_pdf_renders_and_reads_in_chinese(client, rw, tmp_path):
    client.force_login(rw.coordinator)

    response = client.get(reverse("projects:report_pdf", args=[rw.project.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    pages = pdf_pages_as_png(response.content, tmp_path)
    assert pages and all(p.read_bytes().startswith(b"\x89PNG") for p in pages)
    assert pages[0].stat().st_size > 5000  # a page with text on it, not a blank one
    text = pdf_text(response.content, tmp_path)
    assert "幸福来敲门·独居老人关爱 项目报告" in text
    for words in (
        "一、项目概况",
        "二、计划与完成",
        "三、预算执行",
        "四、资金来源",
        "五、服务产出",
        "六、成效指标",
        "夕阳红志愿服务队",
        "翠苑红十字服务站、社区卫生服务中心",
        "街道社区发展专项资金",
        "延期完成",
        "超支",
        "尚未达到",
        "项目负责人（签字）",
        f"生成日期 {today().isoformat()}",
        f"第 1 页，共 {len(pages)} 页",
    ):
        assert words in text, words
    for figure in ("2,350.00", "117.5%", "6,200.50", "2,010.50", "76.2%", "25.0%"):
        assert figure in text, figure


@needs_poppler
def test_a_long_report_runs_over_pages_each_numbered(rw, tmp_path):
    grow(rw, 40)

    body = render_report_pdf(project_report(rw.project, today=today()))

    pages = pdf_pages_as_png(body, tmp_path)
    text = pdf_text(body, tmp_path)
    assert len(pages) >= 3
    assert f"第 {len(pages)} 页，共 {len(pages)} 页" in text
    assert text.count("计划事项") >= 2  # the table's header is repeated on the next page
