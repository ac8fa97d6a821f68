"""`kuihua seed --communities N [--scale F] [--reset]`: communities demo-1 … demo-N."""

import time

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kuihua.core.models import Community
from kuihua.demo.plan import DEFAULT_SEED, community_identity
from kuihua.demo.write import community_counts, generate_community


class Command(BaseCommand):
    help = (
        "Generate N communities (codes demo-1 … demo-N) of invented residents, organizations "
        "and accounts; the same arguments always give the same data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--communities", type=int, default=1, help="how many (default 1)")
        parser.add_argument(
            "--scale",
            type=float,
            default=1.0,
            help="1.0 = the model community: ~15,000 residents, 54 organizations",
        )
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
        parser.add_argument(
            "--reset",
            action="store_true",
            help="empty the whole database first (every community, account and record)",
        )

    def handle(self, *args, **opts):
        count, scale = opts["communities"], opts["scale"]
        if count < 1:
            raise CommandError(_("--communities 至少为 1"))
        if scale <= 0:
            raise CommandError(_("--scale 必须大于 0"))
        codes = [community_identity(i)[1] for i in range(1, count + 1)]
        call_command("migrate", interactive=False, verbosity=0)
        if opts["reset"]:
            call_command("flush", interactive=False, verbosity=0)
        existing = list(
            Community.objects.filter(code__in=codes).order_by("id").values_list("code", flat=True)
        )
        if existing:
            raise CommandError(
                _(
                    "社区 %(codes)s 已经存在，没有生成任何数据。"
                    "加 --reset 清空整个数据库后重新生成，或改用另一个数据库（--db）。"
                )
                % {"codes": ", ".join(existing)}
            )
        for index in range(1, count + 1):
            started = time.perf_counter()
            community = generate_community(index=index, scale=scale, seed=opts["seed"])
            seconds = time.perf_counter() - started
            counts = community_counts(community)
            self.stdout.write(
                _(
                    "%(code)s %(name)s：%(residents)d 名居民，%(households)d 户，"
                    "%(organizations)d 个社会组织，%(members)d 名成员（%(seconds).1f 秒）"
                )
                % {
                    "code": community.code,
                    "name": community.name,
                    "seconds": seconds,
                    **counts,
                }
            )
