"""`kuihua bench [NAME] [--json-only] [--scale F]`: run a benchmark from kuihua.benchmarks.

Without a name, lists the benchmarks. With one, prints progress and then the
figures as one JSON object on the last line (only that line with --json-only).
`--db`, `--n`, `--concurrency` (signup-rush), `--needs`, `--providers` (match),
`--owners`, `--clients`, `--revotes` (vote-rush), `--communities` (dashboard) go to the
benchmarks that take them.
"""

import inspect
import json

from django.core.management.base import BaseCommand, CommandError

from kuihua import benchmarks


class Command(BaseCommand):
    help = "Run a benchmark; the last line of output is one JSON object of its figures."

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", help="benchmark to run; omit to list them")
        parser.add_argument("--json-only", action="store_true", help="print only the JSON line")
        parser.add_argument(
            "--scale", type=float, default=1.0, help="shrink or grow the workload (default 1.0)"
        )
        parser.add_argument("--db", choices=["sqlite", "postgres"], help="kind of fresh database")
        parser.add_argument("--n", type=int, help="number of requests (signup-rush)")
        parser.add_argument("--concurrency", type=int, help="requests in flight (signup-rush)")
        parser.add_argument("--needs", type=int, help="open needs (match)")
        parser.add_argument("--providers", type=int, help="providers (match)")
        parser.add_argument("--owners", type=int, help="eligible owners (vote-rush)")
        parser.add_argument("--clients", type=int, help="requests in flight (vote-rush)")
        parser.add_argument("--revotes", type=int, help="owners voting again at once (vote-rush)")
        parser.add_argument(
            "--communities", type=int, help="demo communities of the district (dashboard)"
        )

    def handle(self, *args, **opts):
        name = opts["name"]
        if not name:
            width = max(len(n) for n in benchmarks.BENCHMARKS)
            for bench_name in benchmarks.BENCHMARKS:
                description = benchmarks.load(bench_name).DESCRIPTION
                self.stdout.write(f"{bench_name:<{width}}  {description}")
            return
        if name not in benchmarks.BENCHMARKS:
            raise CommandError(
                f"no benchmark {name!r}; there are: {', '.join(benchmarks.BENCHMARKS)}"
            )
        if opts["scale"] <= 0:
            raise CommandError("--scale must be positive")

        def say(line: str) -> None:
            if not opts["json_only"]:
                self.stdout.write(line)
                self.stdout.flush()

        run = benchmarks.load(name).run
        passed = (
            "db",
            "n",
            "concurrency",
            "needs",
            "providers",
            "owners",
            "clients",
            "revotes",
            "communities",
        )
        extra = {k: opts[k] for k in passed if opts.get(k) is not None}
        unknown = set(extra) - set(inspect.signature(run).parameters)
        if unknown:
            raise CommandError(f"{name} takes no --{', --'.join(sorted(unknown))}")
        figures = run(scale=opts["scale"], say=say, **extra)
        self.stdout.write(json.dumps(figures, ensure_ascii=False))
