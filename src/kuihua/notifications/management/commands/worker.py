"""`kuihua worker`: the background worker (huey's consumer) for notifications and reminders.

Tasks are queued in SQLite beside the database (KUIHUA_HOME/tasks.sqlite3) by
default, in Redis when REDIS_URL is set; see docs/adr/0005-notifications.md.
"""

import argparse
import logging
import os
import signal
import threading
import time

from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from kuihua.notifications.channels import get_channels


def stop_when_parent_exits(parent_pid: int, poll_s: float = 1.0) -> None:
    """Interrupt this process (huey stops gracefully on SIGINT) once `parent_pid` is gone.

    `kuihua demo` starts the worker beside the web server (gunicorn replaces the
    demo process, keeping its pid); when the server stops, the worker is
    re-parented and notices within a second, even if that happened while it
    was still starting.
    """

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(poll_s)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


class Command(BaseCommand):
    help = "Run the background worker: notification delivery and activity reminders."

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=2, help="worker threads (default 2)")
        parser.add_argument("--stop-with-parent", type=int, metavar="PID", help=argparse.SUPPRESS)

    def handle(self, *args, **opts):
        try:
            channels = get_channels()
        except ImproperlyConfigured as exc:
            raise CommandError(str(exc)) from exc
        # huey's lines go through the project's log handler (and its redaction filter).
        logging.getLogger("huey").addHandler(logging.NullHandler())
        logging.getLogger("kuihua.worker").info(
            "worker starting: %s threads, channels %s", opts["workers"], ",".join(channels)
        )
        if opts["stop_with_parent"]:
            stop_when_parent_exits(opts["stop_with_parent"])
        call_command("run_huey", workers=opts["workers"], worker_type="thread")
