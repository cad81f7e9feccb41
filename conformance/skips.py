"""The skip list (conformance/skips.txt): tests excluded from the run, each for a named reason.

The file is stestr's exclude-list format, which `tempest run --exclude-list` reads as it is:
one regular expression per line, then `#` and the reason. Here every entry must give its reason
(a feature novasite does not offer), and every expression must compile.

    python -m conformance.skips conformance/skips.txt   # check it, print the entries
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Skip:
    """One entry: the tests it excludes (a regular expression on the test id) and why."""

    regex: str
    reason: str


def parse_skips(text: str) -> list[Skip]:
    """The entries of a skip list; ValueError names the first line without a reason or whose
    expression does not compile. Blank lines and lines that are only a comment are ignored."""
    entries = []
    for number, raw in enumerate(text.splitlines(), start=1):
        regex, _, reason = raw.partition("#")
        regex, reason = regex.strip(), reason.strip()
        if not regex:
            continue
        if not reason:
            raise ValueError(f"line {number}: {regex!r} has no reason (write '# the feature novasite does not offer')")
        try:
            re.compile(regex)
        except re.error as error:
            raise ValueError(f"line {number}: {regex!r} is not a regular expression: {error}") from None
        entries.append(Skip(regex, reason))
    return entries


def excluded(entries: list[Skip], test_ids: list[str]) -> dict[str, Skip]:
    """test id -> the first entry that excludes it (stestr's search: anywhere in the id)."""
    found = {}
    for test_id in test_ids:
        for entry in entries:
            if re.search(entry.regex, test_id):
                found[test_id] = entry
                break
    return found


def main(argv: list[str] | None = None) -> int:
    """Check a skip list and print its entries."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m conformance.skips SKIPS.txt", file=sys.stderr)
        return 2
    try:
        entries = parse_skips(Path(args[0]).read_text())
    except ValueError as error:
        print(f"{args[0]}: {error}", file=sys.stderr)
        return 1
    for entry in entries:
        print(f"{entry.regex}  ({entry.reason})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
