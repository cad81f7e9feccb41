"""Nova's extra-spec operators (nova/scheduler/filters/extra_specs_ops.py): how a flavor's
requirement such as ">= 4", "<in> avx2", "s== kvm" or "<or> a <or> b" matches a value."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any


def _numeric(compare: Callable[[float, float], bool]) -> Callable[[str, str], bool]:
    def check(value: str, wanted: str) -> bool:
        try:
            return compare(float(value), float(wanted))
        except ValueError:
            return False  # a non-number never satisfies a numeric requirement

    return check


# Each operator compares the host's value with the wanted one(s): strings, or a list of them
# for <all-in>.
_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "=": _numeric(operator.ge),  # Nova: "= 4" means at least 4
    "==": _numeric(operator.eq),
    "!=": _numeric(operator.ne),
    ">=": _numeric(operator.ge),
    "<=": _numeric(operator.le),
    "<in>": lambda value, wanted: wanted in value,
    "<all-in>": lambda value, wanted: all(item in value for item in wanted),
    "s==": operator.eq,
    "s!=": operator.ne,
    "s<": operator.lt,
    "s<=": operator.le,
    "s>": operator.gt,
    "s>=": operator.ge,
}


def match(value: str | None, requirement: str) -> bool:
    """True when `value` satisfies `requirement`; a requirement with no operator means string
    equality."""
    words = requirement.split()
    op = words.pop(0) if words else None
    if op != "<or>" and op not in _OPERATORS:
        return value == requirement
    if value is None or not words:
        return False
    if op == "<or>":  # "<or> a <or> b": any of the alternatives, compared as strings
        return value in words[0::2]
    if op == "<all-in>":
        return _OPERATORS[op](value, words)
    return _OPERATORS[op](value, words[0])
