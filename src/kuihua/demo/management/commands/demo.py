"""`kuihua demo`: the whole system on one machine, seeded, with a login for every role.

Migrates the database (SQLite under KUIHUA_HOME unless --db / DATABASE_URL says
otherwise), generates the demo community at the model's scale when the database
has no community yet, (re)sets one login per role with a known password, prints
the address and the logins, then starts the web server and the processes that
run beside it.
"""

import argparse
import os
import subprocess
import sys
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from kuihua.core.management.commands.serve import run_gunicorn
from kuihua.core.models import Community
from kuihua.demo.logins import demo_accounts_ensure
from kuihua.demo.plan import DEMO_PASSWORD
from kuihua.demo.write import community_counts, generate_community

WEB_WORKERS = 2


def background_commands() -> list[list[str]]:
    """Processes started beside the web server, each an argv.

    The task worker (`kuihua worker`), which stops by itself when the web server
    (its parent, once gunicorn has replaced this process) stops. It inherits the
    database and KUIHUA_HOME through the environment.
    """
    worker = [sys.executable, "-m", "kuihua.cli", "worker", f"--stop-with-parent={os.getpid()}"]
    return [worker]


class Command(BaseCommand):
    help = "Migrate, seed the demo community if the database is empty, print logins, serve."

    def add_arguments(self, parser: CommandParser):
        parser.add_argument("--no-serve", action="store_true", help="prepare and print only")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        # Smaller communities for tests and quick looks; not part of the documented interface.
        parser.add_argument("--scale", type=float, default=1.0, help=argparse.SUPPRESS)

    def handle(self, *args, **opts):
        write = self.stdout.write
        call_command("migrate", interactive=False, verbosity=0)
        if not getattr(settings, "WHITENOISE_USE_FINDERS", False):
            call_command("collectstatic", interactive=False, verbosity=0)

        community = Community.objects.order_by("id").first()
        if community is None:
            write(_("正在生成演示社区（约一万五千名虚构居民）……"))
            started = time.perf_counter()
            community = generate_community(index=1, scale=opts["scale"])
            counts = community_counts(community)
            write(
                _(
                    "已生成 %(name)s：%(residents)d 名居民，%(households)d 户，"
                    "%(organizations)d 个社会组织，%(members)d 名成员，用时 %(seconds).1f 秒。"
                )
                % {"name": community.name, "seconds": time.perf_counter() - started, **counts}
            )
        else:
            write(_("使用数据库中已有的社区：%(name)s") % {"name": community.name})

        logins = demo_accounts_ensure(community=community, password=DEMO_PASSWORD)
        address = f"http://{opts['host']}:{opts['port']}/"
        write("")
        write(_("地址：%(address)s") % {"address": address})
        write(_("演示账号（仅供演示，密码均为 %(password)s）：") % {"password": DEMO_PASSWORD})
        width = max(len(login.username) for login in logins)
        for login in logins:
            role = f"{login.role_label}（{login.note}）"
            write(f"  {login.username:<{width}}  {login.password}  {role}")
        write("")

        if opts["no_serve"]:
            return
        for argv in background_commands():
            subprocess.Popen(argv)  # noqa: S603 - our own commands, no shell
        sys.stdout.flush()
        run_gunicorn(host=opts["host"], port=opts["port"], workers=WEB_WORKERS)
