"""`kuihua serve` is the production server: production settings or nothing, unless told
--insecure-local; and the secret in the elder's check-in link never reaches a log."""

from __future__ import annotations

import logging
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

from kuihua.cli import PRODUCTION_SECRETS
from kuihua.core.logging import RedactPersonalDataFilter

KUIHUA = (sys.executable, "-m", "kuihua.cli")


def _env(tmp_path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_SECRETS}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)
    return {**env, "KUIHUA_HOME": str(tmp_path / "home"), **extra}


def test_serve_without_its_secrets_refuses_to_start_and_names_them(tmp_path):
    result = subprocess.run(  # noqa: S603 - our own CLI
        [*KUIHUA, "serve", "--port", "1"],
        env=_env(tmp_path, DJANGO_SECRET_KEY="only-this-one"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.returncode == 2
    for name in ("KUIHUA_FIELD_KEYS", "KUIHUA_INDEX_KEY", "DJANGO_ALLOWED_HOSTS", "REDIS_URL"):
        assert name in result.stderr
    assert "DJANGO_SECRET_KEY" not in result.stderr.split("(")[0]  # that one is set
    assert "--insecure-local" in result.stderr
    assert not (tmp_path / "home").exists()  # nothing written, no settings loaded


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_insecure_local_serves_on_local_settings_and_no_log_line_holds_the_check_in_secret(
    tmp_path,
):
    port = _free_port()
    token = secrets.token_urlsafe(24)  # as care makes them
    server = subprocess.Popen(  # noqa: S603 - our own CLI
        [*KUIHUA, "serve", "--insecure-local", "--port", str(port), "--workers", "1"],
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        status = None
        while status is None:
            assert server.poll() is None, server.stdout.read()
            assert time.monotonic() < deadline, "the server did not answer within 120 s"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/care/me/{token}/") as r:
                    status = r.status
            except urllib.error.HTTPError as exc:
                status = exc.code
            except OSError:
                time.sleep(0.5)
        time.sleep(1)  # the access-log line is written after the answer
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0]

    assert status in (200, 404)
    assert "LOCAL SETTINGS" in output
    assert (tmp_path / "home" / "secrets.json").exists()  # the local settings made them
    assert "/care/me/[密钥]/" in output  # the access line, redacted
    assert token not in output


def test_the_django_request_warning_is_redacted_too():
    token = secrets.token_urlsafe(24)
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Not Found: %s",
        (f"/care/me/{token}/",),
        None,
    )

    RedactPersonalDataFilter().filter(record)

    assert record.getMessage() == "Not Found: /care/me/[密钥]/"
