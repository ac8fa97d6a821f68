from django.apps import AppConfig


class BenchmarksConfig(AppConfig):
    """What `kuihua bench NAME` runs (no models)."""

    name = "kuihua.benchmarks"
    label = "benchmarks"
    verbose_name = "benchmarks"
