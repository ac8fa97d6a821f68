"""`kuihua export residents|owners|organizations FILE.xlsx`: see Command.help."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from kuihua.core.sheets import SHEET_KINDS
from kuihua.core.tenancy import use_community
from kuihua.registry.management.commands.import_data import resolve_community, resolve_user


class Command(BaseCommand):
    help = (
        "把居民（residents）、业主与面积（owners）或社会组织（organizations）"
        "导出为 Excel 表（.xlsx），"
        "表头与导入相同，可直接再导入。身份证号码和电话默认脱敏；--whole 导出完整号码，"
        "并为每位被导出的居民写入个人信息访问记录。"
        " / Export residents, owners or organizations to .xlsx (re-importable). ID numbers and"
        " phones are masked unless --whole, which logs an access entry per person."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(SHEET_KINDS))
        parser.add_argument("file", help=".xlsx")
        parser.add_argument("--community", metavar="CODE", help="社区代码（只有一个社区时可省略）")
        parser.add_argument(
            "--whole", action="store_true", help="导出完整的身份证号码和电话（会记录访问）"
        )
        parser.add_argument("--user", metavar="USERNAME", help="记为操作人的用户（可选）")
        parser.add_argument(
            "--language", default=settings.LANGUAGE_CODE, help="提示语言，默认 zh-hans"
        )

    def handle(self, *args, **options):
        kind = SHEET_KINDS[options["kind"]]
        with translation.override(options["language"]):
            community = resolve_community(options["community"])
            with use_community(community):
                actor = resolve_user(options["user"], community)
                try:
                    count = kind.export_file(options["file"], actor=actor, whole=options["whole"])
                except PermissionDenied as exc:
                    raise CommandError(str(exc)) from exc
                except OSError as exc:
                    raise CommandError(
                        _("无法写入文件：%(file)s") % {"file": options["file"]}
                    ) from exc
            what = kind.counted_as
            self.stdout.write(
                _("已导出 %(count)d %(what)s到 %(file)s")
                % {"count": count, "what": what, "file": options["file"]}
            )
