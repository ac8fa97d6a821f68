"""The `kuihua` command.

    kuihua [--db PATH] demo [--no-serve] [--port N]
    kuihua [--db PATH] seed --communities N
    kuihua [--db PATH] serve [--port N] [--workers N] [--insecure-local]
    kuihua [--db PATH] worker [--workers N]
    kuihua [--db PATH] import residents|organizations FILE.xlsx [--strict] [--json]
    kuihua [--db PATH] export residents|organizations FILE.xlsx
    kuihua [--db PATH] bench NAME
    kuihua [--db PATH] backup [--output DIR] [--passphrase-env VAR]
    kuihua [--db PATH] restore FILE [--to URL] [--force] [--passphrase-env VAR]
    kuihua [--db PATH] manage <any Django management command>

The database comes from `--db PATH` (an SQLite file), else DATABASE_URL, else
the demo's SQLite file under KUIHUA_HOME (./var by default).

`serve` is the production server: it runs on the production settings and will not
start without their secrets in the environment, unless told `--insecure-local`
(the local settings, secrets generated under KUIHUA_HOME: for trying it on one's own
machine, never for residents' data). Every other command uses the local settings
unless DJANGO_SETTINGS_MODULE says otherwise.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# What the production settings refuse to start without (kuihua.config.settings.production).
PRODUCTION_SECRETS = (
    "DJANGO_SECRET_KEY",
    "KUIHUA_FIELD_KEYS",
    "KUIHUA_INDEX_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "REDIS_URL",
)

# kuihua subcommand -> Django management command
COMMANDS = {
    "demo": "demo",
    "seed": "seed",
    "serve": "serve",
    "worker": "worker",
    "import": "import_data",
    "export": "export_data",
    "bench": "bench",
    "backup": "backup",
    "restore": "restore",
}


def _take_db_option(argv: list[str]) -> list[str]:
    """Remove `--db PATH` / `--db=PATH` from argv and point DATABASE_URL at it.

    After `bench NAME` the options are the benchmark's own (`--db sqlite|postgres`
    chooses the kind of the fresh database it makes; benchmarks never use ours).
    """
    out: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "bench" and not [a for a in out if not a.startswith("-")]:
            out.extend(argv[i:])
            break
        if arg == "--db" and i + 1 < len(argv):
            path = argv[i + 1]
            i += 2
        elif arg.startswith("--db="):
            path = arg.split("=", 1)[1]
            i += 1
        else:
            out.append(arg)
            i += 1
            continue
        if "://" in path:
            os.environ["DATABASE_URL"] = path
        else:
            os.environ["DATABASE_URL"] = f"sqlite:///{Path(path).resolve()}"
    return out


def main(argv: list[str] | None = None) -> int:
    argv = _take_db_option(list(sys.argv[1:] if argv is None else argv))
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(__doc__)
        return 0
    name, rest = argv[0], argv[1:]
    if name == "serve" and "DJANGO_SETTINGS_MODULE" not in os.environ:
        if "--insecure-local" in rest:
            rest = [a for a in rest if a != "--insecure-local"]
            print(
                "kuihua serve --insecure-local: LOCAL SETTINGS, secrets generated under "
                "KUIHUA_HOME. Not for residents' data: a production server sets "
                f"{', '.join(PRODUCTION_SECRETS)} (docs/operations.md).",
                file=sys.stderr,
            )
        else:
            missing = [n for n in PRODUCTION_SECRETS if not os.environ.get(n)]
            if missing:
                print(
                    f"kuihua serve: the production server needs {', '.join(missing)} in the "
                    "environment (docs/operations.md). To try it on this machine with "
                    "generated secrets: kuihua serve --insecure-local",
                    file=sys.stderr,
                )
                return 2
            os.environ["DJANGO_SETTINGS_MODULE"] = "kuihua.config.settings.production"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kuihua.config.settings.local")
    from django.core.management import execute_from_command_line

    if name == "manage":
        execute_from_command_line(["kuihua manage", *rest])
        return 0
    if name not in COMMANDS:
        print(f"kuihua: unknown command {name!r}\n{__doc__}", file=sys.stderr)
        return 2
    execute_from_command_line(["kuihua", COMMANDS[name], *rest])
    return 0


if __name__ == "__main__":
    sys.exit(main())
