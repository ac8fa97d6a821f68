"""`kuihua serve`: the production web server (gunicorn, several workers)."""

import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the web application under gunicorn with several workers."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=max(2, (os.cpu_count() or 1) * 2))
        parser.add_argument("--no-migrate", action="store_true")

    def handle(self, *args, **opts):
        if not opts["no_migrate"]:
            call_command("migrate", interactive=False, verbosity=0)
        if not getattr(settings, "WHITENOISE_USE_FINDERS", False):
            call_command("collectstatic", interactive=False, verbosity=0)
        run_gunicorn(host=opts["host"], port=opts["port"], workers=opts["workers"])


def run_gunicorn(*, host: str, port: int, workers: int) -> None:
    """Replace this process with gunicorn serving the WSGI app."""
    argv = gunicorn_argv(host=host, port=port, workers=workers)
    os.execv(sys.executable, argv)  # noqa: S606


def gunicorn_argv(*, host: str, port: int, workers: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "kuihua.config.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
        # An access log line holds the path only; query strings can carry search terms.
        "--access-logformat",
        '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms',
        # ... and a path can carry a secret (the elder's check-in link): redacted.
        "--logger-class",
        "kuihua.core.gunicorn_logging.RedactingLogger",
        "--timeout",
        "60",
    ]
