"""The figures, one module per area; each module registers its figures at import
(`dashboard/base.py` says what a figure is and how to add one)."""

import importlib
import pkgutil


def load_figures() -> None:
    """Import every figure module of this package (idempotent)."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
