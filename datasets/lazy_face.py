"""A package face whose names are imported on first use (PEP 562 ``__getattr__``)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping
from typing import Any


def lazy_attribute(package: str, where: Mapping[str, str], name: str) -> Any:
    """Import ``name`` from its module in ``where``, keep it on ``package`` and return it.

    Raises ``AttributeError`` for a name the face does not hold, as a module does.
    """
    module = where.get(name)
    if module is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    setattr(sys.modules[package], name, value)
    return value
