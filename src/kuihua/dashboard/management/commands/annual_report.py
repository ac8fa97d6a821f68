"""`kuihua manage annual_report --community CODE [--community CODE …] --year Y --output FILE`."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kuihua.core.errors import ApplicationError
from kuihua.core.tenancy import Community
from kuihua.dashboard.report import annual_report, area_name
from kuihua.dashboard.report_pdf import render_annual_report_pdf
from kuihua.dashboard.report_views import report_year
from kuihua.dashboard.selectors import dashboard_for


class Command(BaseCommand):
    help = (
        "生成社区的年度报告（PDF）；给几个 --community 就生成这几个社区并列、带合计的辖区报告。"
        " / Write a community's annual report as a PDF; several --community give a district's"
        " report, the communities side by side with their total."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--community", metavar="CODE", action="append", required=True, help="社区代码"
        )
        parser.add_argument("--year", help="年份，默认今年")
        parser.add_argument("--output", metavar="FILE", required=True, help="写入的 PDF 文件")
        parser.add_argument(
            "--language", default=settings.LANGUAGE_CODE, help="报告语言，默认 zh-hans"
        )

    def handle(self, *args, **options):
        with translation.override(options["language"]):
            codes = list(dict.fromkeys(options["community"]))
            communities = list(Community.objects.filter(code__in=codes).order_by("pk"))
            unknown = sorted(set(codes) - {c.code for c in communities})
            if unknown:
                raise CommandError(_("没有这个社区代码：%(codes)s") % {"codes": "、".join(unknown)})
            today = timezone.localdate()
            try:
                year = report_year(options["year"], today=today)
            except ApplicationError as exc:
                raise CommandError(str(exc)) from exc
            board = dashboard_for([c.pk for c in communities], year, fresh=True)
            made = annual_report(
                board,
                names={c.pk: c.name for c in communities},
                generated_on=today,
                district=area_name(communities) if len(communities) > 1 else None,
                streets={c.pk: c.street for c in communities},
            )
            try:
                with open(options["output"], "wb") as out:
                    out.write(render_annual_report_pdf(made))
            except OSError as exc:
                raise CommandError(
                    _("无法写入文件：%(file)s") % {"file": options["output"]}
                ) from exc
            self.stdout.write(
                _("已生成“%(title)s”：%(file)s") % {"title": made.title, "file": options["output"]}
            )
