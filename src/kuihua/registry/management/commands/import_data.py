"""`kuihua import residents|owners|organizations FILE.xlsx`: see Command.help."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from kuihua.core.models import Community
from kuihua.core.sheets import SHEET_KINDS, ImportReport
from kuihua.core.tenancy import use_community


def resolve_community(code: str | None) -> Community:
    """The community named by --community, or the only one there is."""
    codes = list(Community.objects.order_by("code").values_list("code", flat=True))
    if code:
        community = Community.objects.filter(code=code).first()
        if community is None:
            raise CommandError(
                _("没有代码为“%(code)s”的社区；已有：%(codes)s")
                % {"code": code, "codes": ", ".join(codes) or "-"}
            )
        return community
    if len(codes) == 1:
        return Community.objects.get(code=codes[0])
    if not codes:
        raise CommandError(_("还没有任何社区，请先创建社区"))
    raise CommandError(
        _("有多个社区，请用 --community 指定其中一个：%(codes)s") % {"codes": ", ".join(codes)}
    )


def resolve_user(username: str | None, community: Community, *, perm: str | None = None):
    """The account recorded as the actor (--user), or None: the command line itself."""
    if not username:
        return None
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first()
    if user is None or user.community_id != community.pk:
        raise CommandError(_("社区“%(c)s”中没有用户“%(u)s”") % {"c": community.code, "u": username})
    if perm and not user.has_perm(perm):
        raise CommandError(_("用户“%(u)s”没有这项权限") % {"u": username})
    return user


def write_report(command: BaseCommand, report: ImportReport, *, title: str) -> None:
    """The report as text, in the active language."""
    command.stdout.write(
        _("%(title)s：共 %(total)d 行，导入 %(imported)d 行，未导入 %(rejected)d 行。")
        % {
            "title": title,
            "total": report.rows_total,
            "imported": report.imported,
            "rejected": report.rejected,
        }
    )
    for note in report.notes:
        command.stdout.write(_("说明：%(note)s") % {"note": note})
    for error in report.sorted_errors():
        if error.row is None:
            command.stdout.write(_("错误：%(message)s") % {"message": error.message})
        else:
            command.stdout.write(
                _("第 %(row)d 行【%(column)s】%(message)s")
                % {"row": error.row, "column": error.column, "message": error.message}
            )
    warnings = report.sorted_warnings()
    if warnings:
        command.stdout.write(
            _("以下 %(n)d 条提醒：这些行已导入，只是其中的一部分没有导入，请核对补充。")
            % {"n": len(warnings)}
        )
    for warning in warnings:
        command.stdout.write(
            _("提醒：第 %(row)d 行【%(column)s】%(message)s")
            % {"row": warning.row, "column": warning.column, "message": warning.message}
        )


class Command(BaseCommand):
    help = (
        "导入居民（residents）、业主与面积（owners）或社会组织（organizations）"
        "的 Excel 表（.xlsx）。"
        "表头可以在前 10 行内、列的顺序不限；逐行报告有问题的行、列和原因。"
        "默认导入所有正确的行；--strict 时只要有一行有错就什么也不导入。"
        "退出码：导入了至少一行为 0；什么也没导入（文件无法读取、全部有错、或严格模式下有错）为 1。"
        " / Import residents, owners or organizations from an .xlsx sheet; exit 0 when at least one"
        " row was imported, 1 when nothing was (unreadable file, every row bad, or --strict"
        " with any error)."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(SHEET_KINDS))
        parser.add_argument("file", help=".xlsx")
        parser.add_argument(
            "--strict", action="store_true", help="有任何错误就什么也不导入 / all or nothing"
        )
        parser.add_argument(
            "--json", action="store_true", help="输出一个 JSON 对象 / print one JSON object"
        )
        parser.add_argument("--community", metavar="CODE", help="社区代码（只有一个社区时可省略）")
        parser.add_argument("--user", metavar="USERNAME", help="记为操作人的用户（可选）")
        parser.add_argument(
            "--language", default=settings.LANGUAGE_CODE, help="报告语言，默认 zh-hans"
        )

    def handle(self, *args, **options):
        kind = SHEET_KINDS[options["kind"]]
        with translation.override(options["language"]):
            community = resolve_community(options["community"])
            with use_community(community):
                actor = resolve_user(options["user"], community, perm="registry.import_data")
                report = kind.import_file(
                    options["file"],
                    actor=actor,
                    strict=options["strict"],
                    source=Path(options["file"]).name,
                )
            if options["json"]:
                self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
            else:
                write_report(self, report, title=str(kind.imported_as))
            if report.exit_code:
                raise CommandError(_("没有导入任何数据"), returncode=report.exit_code)
