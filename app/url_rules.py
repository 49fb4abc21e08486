"""URL rules whose URL builders are compiled when first used (issue 24)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.routing import Rule


class LazyBuildRule(Rule):
    """A Werkzeug rule that compiles its two URL builders the first time it builds a URL.

    Werkzeug generates and compiles both builder functions of every rule when the rule is
    added: for the portal's 150 rules that was about two thirds of ``create_app``'s CPU, in
    every web worker and every test, while a process builds URLs for a few dozen endpoints.
    Matching is unchanged: the rule's parts and its converters are still made at once.
    """

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        attribute = "_build_unknown" if append_unknown else "_build"

        def build_once(rule: Rule, **values: Any) -> tuple[str, str]:
            # Two threads building at once both compile: the same function, set twice.
            builder = Rule._compile_builder(rule, append_unknown).__get__(rule, None)
            setattr(rule, attribute, builder)
            built: tuple[str, str] = builder(**values)
            return built

        return build_once
