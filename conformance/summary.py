"""The summary of a Tempest run, and the exit status CI gates on.

    python -m conformance.summary --subunit RESULTS.subunit --skips conformance/skips.txt \
        [--before SEED.json --after AFTER.json --leaks fail|report] [--threshold 95] [--top 20]

Prints a pass/fail/skip table per module, the commonest failure reasons (grouped by the
exception line and its first line of details, with ids, names and numbers made generic), the
skip reasons Tempest gave, what the run left behind, the pass rate, and last a line
`N passed, M failed, K skipped`. Exits 1 when the pass rate (passed / (passed + failed)) is
below the threshold, or when something was left behind and --leaks is fail.

Reading the subunit stream needs python-subunit and testtools (Tempest's virtualenv has both);
everything else is plain data, so the logic is tested without them.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from conformance import leaks as leak_report
from conformance.skips import parse_skips

PACKAGE = "tempest.api.compute."
PASSED = frozenset({"success", "xfail"})
FAILED = frozenset({"fail", "uxsuccess"})
SKIPPED = frozenset({"skip"})
#: A line that ends a traceback: an exception's dotted class name, a colon, its message.
EXCEPTION_LINE = re.compile(r"^([A-Za-z_][\w.]*(?:Error|Exception|Failure|Exit|Mismatch\w*|[A-Z]\w+)): ?(.*)$")
#: Tempest's log line for each request: `Request (Class:test): 404 GET http://host:port/path 0.01s`.
REQUEST_LINE = re.compile(r"Request \([^:)]*:?([^)]*)\): (\d{3}) ([A-Z]+) https?://[^/\s]+(/\S*)")
#: A failure that is an HTTP error answer (Tempest's exception for a 4xx or 5xx).
HTTP_ERROR = re.compile(
    r"'code': [45]\d\d|^(NotFound|BadRequest|Conflict|Forbidden|Unauthorized|ServerFault|UnexpectedResponseCode"
    r"|NotImplemented|OverLimit)\b"
)
#: How Tempest words the skip of a test marked unstable that raised (decorators.unstable_test).
UNSTABLE = "Marked as unstable and skipped because of bug"
#: Phases whose requests clean up after a failure rather than cause it.
CLEANUP_PHASES = frozenset({"tearDownClass", "tearDown", "_run_cleanups", "resource_cleanup", "clear_credentials"})
GENERIC = (
    (re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.I), "<uuid>"),
    (re.compile(r"\breq-<uuid>"), "<request>"),
    (re.compile(r"\b[0-9a-f]{32}\b", re.I), "<id>"),
    (re.compile(r"tempest-[\w.-]*?-\d{6,}\b|\btempest-[\w.-]+", re.I), "<name>"),
    (re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b"), "<ip>"),
    (re.compile(r"\d{4}-\d\d-\d\dT[\d:.]+Z?"), "<time>"),
    (re.compile(r"(?<=/)\d+(?=/|\]|$)"), "<n>"),
    (re.compile(r"(does not match in response) - \{.*"), r"\1"),
    (re.compile(r"\b\d{4,}\b"), "<n>"),
    (re.compile(r"\s+"), " "),
)


@dataclass(frozen=True)
class Result:
    """One test's outcome: its id, subunit status and the text of its details."""

    test_id: str
    status: str
    details: dict[str, str] = field(default_factory=dict)


def plain_id(test_id: str) -> str:
    """The id without Tempest's attributes: `...test_x[id-...,smoke]` -> `...test_x`; a class
    fixture `setUpClass (tempest.api.compute.a.test_b.C)` -> `tempest.api.compute.a.test_b.C.setUpClass`."""
    fixture = re.match(r"^(\w+) \((.+)\)$", test_id)
    if fixture:
        return f"{fixture.group(2)}.{fixture.group(1)}"
    return test_id.split("[", 1)[0]


def module_of(test_id: str) -> str:
    """The module a test belongs to, relative to tempest.api.compute (`servers.test_create_server`)."""
    parts = plain_id(test_id).removeprefix(PACKAGE).split(".")
    return ".".join(parts[:-2]) if len(parts) > 2 else parts[0]


def failure_line(details: dict[str, str]) -> str:
    """The exception that failed the test, with the first line of Tempest's `Details:`."""
    text = details.get("traceback") or "\n".join(details.values())
    lines = text.splitlines()
    found = ""
    for index, line in enumerate(lines):
        match = EXCEPTION_LINE.match(line)
        if match is None:
            continue
        found = f"{match.group(1).rsplit('.', 1)[-1]}: {match.group(2)}".rstrip(": ")
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if following.startswith("Details: "):
            found = f"{found} | {following.removeprefix('Details: ')}"
    return (found or (lines[-1] if lines else "no details"))[:400]


def last_request(details: dict[str, str], http_error: bool = False) -> str:
    """The request the test failed on, from Tempest's log: `404 GET /compute/v2.1/os-hosts`
    (query values left out). Requests made while cleaning up are left out; with ``http_error``
    the last one answered 4xx or 5xx. Empty when the log has none."""
    found = [
        (status, method, url)
        for phase, status, method, url in REQUEST_LINE.findall(details.get("pythonlogging:''", ""))
        if phase not in CLEANUP_PHASES
    ]
    if http_error:
        found = [row for row in found if row[0] >= "400"] or found
    if not found:
        return ""
    status, method, url = found[-1]
    path, _, query = url.partition("?")
    keys = sorted({pair.split("=", 1)[0] for pair in query.split("&") if pair})
    return f"{status} {method} {path}" + (f"?{'&'.join(keys)}" if keys else "")


def generic(reason: str) -> str:
    """The reason with ids, names, addresses and numbers made generic, for grouping."""
    for pattern, replacement in GENERIC:
        reason = pattern.sub(replacement, reason)
    return reason.strip()[:220]


def skip_reason(details: dict[str, str]) -> str:
    """Tempest's skip message."""
    return (details.get("reason") or "no reason given").strip().splitlines()[0][:200]


@dataclass
class Summary:
    """Counts per module, failures grouped by generic reason, skips grouped by reason."""

    modules: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    failures: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    skips: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    #: Tests marked unstable whose exception Tempest reported as a skip: (test id, what it raised).
    unstable: list[tuple[str, str]] = field(default_factory=list)

    def total(self, outcome: str) -> int:
        """Tests with this outcome (passed, failed, skipped) over every module."""
        return sum(counts[outcome] for counts in self.modules.values())

    def pass_rate(self) -> float:
        """passed / (passed + failed), in percent (100 when nothing ran)."""
        ran = self.total("passed") + self.total("failed")
        return 100.0 * self.total("passed") / ran if ran else 100.0


def summarise(results: list[Result]) -> Summary:
    """Fold the results into a Summary; statuses other than pass, fail and skip are ignored."""
    summary = Summary()
    for result in results:
        module = module_of(result.test_id)
        if result.status in PASSED:
            summary.modules[module]["passed"] += 1
        elif result.status in FAILED:
            summary.modules[module]["failed"] += 1
            reason = failure_line(result.details)
            request = last_request(result.details, http_error=bool(HTTP_ERROR.search(reason)))
            key = f"{generic(reason)} [{generic(request)}]" if request else generic(reason)
            summary.failures[key].append((plain_id(result.test_id), f"{reason} [{request}]" if request else reason))
        elif result.status in SKIPPED:
            summary.modules[module]["skipped"] += 1
            reason = skip_reason(result.details)
            summary.skips[reason].append(plain_id(result.test_id))
            if reason.startswith(UNSTABLE):
                summary.unstable.append((plain_id(result.test_id), reason.rsplit("failure was:", 1)[-1].strip()))
    return summary


def report(summary: Summary, top: int = 20) -> list[str]:
    """The table, the commonest failure reasons and the skip reasons, as lines."""
    width = max([len("module"), *(len(name) for name in summary.modules)])
    lines = [f"{'module':<{width}}  passed  failed  skipped", "-" * (width + 25)]
    for name in sorted(summary.modules):
        counts = summary.modules[name]
        lines.append(f"{name:<{width}}  {counts['passed']:>6}  {counts['failed']:>6}  {counts['skipped']:>7}")
    groups = sorted(summary.failures.items(), key=lambda item: (-len(item[1]), item[0]))
    if groups:
        lines += ["", f"Commonest failure reasons ({len(groups)} distinct; the first {min(top, len(groups))}):"]
        for key, failed in groups[:top]:
            test_id, reason = failed[0]
            lines += [f"{len(failed):>4} x {key}", f"       e.g. {test_id}", f"       {reason[:300]}"]
    if summary.unstable:
        lines += ["", "Marked unstable, so reported as skipped: what each raised (a failure or a skip of its own):"]
        lines += [f"  {test_id}: {raised[:200]}" for test_id, raised in summary.unstable]
    if summary.skips:
        lines += ["", "Skipped by Tempest (its reasons):"]
        for reason, tests in sorted(summary.skips.items(), key=lambda item: (-len(item[1]), item[0])):
            lines.append(f"{len(tests):>4} x {reason}  (e.g. {tests[0]})")
    return lines


def gate(summary: Summary, threshold: float) -> tuple[bool, list[str]]:
    """Whether the run passes (a pass rate at the threshold or above, and some test ran), and
    the closing lines, the last one `N passed, M failed, K skipped`."""
    passed, failed, skipped = (summary.total(outcome) for outcome in ("passed", "failed", "skipped"))
    rate = summary.pass_rate()
    ok = rate >= threshold and passed + failed > 0
    lines = [f"pass rate {rate:.1f}% (threshold {threshold:g}%): {'ok' if ok else 'FAIL'}"]
    if not passed + failed:
        lines.append("FAIL: no test ran (see var/conformance/tempest.log)")
    lines.append(f"{passed} passed, {failed} failed, {skipped} skipped")
    return ok, lines


def read_subunit(path: Path) -> list[Result]:
    """Every test's final status in a subunit v2 stream (`stestr last --subunit`)."""
    import subunit  # type: ignore[import-not-found]  # Tempest's virtualenv has it
    import testtools  # type: ignore[import-not-found]

    results: list[Result] = []

    def keep(test: dict) -> None:
        details = {name: content.as_text() for name, content in test["details"].items()}
        results.append(Result(test["id"], test["status"], details))

    with path.open("rb") as stream:
        case = subunit.ByteStreamToStreamResult(stream, non_subunit_name="stdout")
        sink = testtools.StreamToDict(keep)
        sink.startTestRun()
        case.run(sink)
        sink.stopTestRun()
    return results


def leak_section(
    before: leak_report.Inventory, after: leak_report.Inventory, known: list[leak_report.KnownLeak], *, fail: bool
) -> tuple[list[str], bool]:
    """The report's lines on what the run left behind, and whether that fails the run: what a
    known Tempest leak explains is listed apart and never fails it."""
    left, tempest_left = leak_report.split_known(leak_report.compare(before, after), known)
    lines = ["", "Left behind by the run:" if left else "Left behind by the run: nothing"]
    lines += leak_report.describe(left)
    if tempest_left:
        lines += ["Left behind by Tempest's own tests (conformance/tempest-leaks.txt: they register no cleanup):"]
        lines += leak_report.describe(tempest_left)
    failed = bool(left) and fail
    if failed:
        lines.append("FAIL: the run left resources behind (CONFORMANCE_LEAKS=report only reports them)")
    return lines, failed


def main(argv: list[str] | None = None) -> int:
    """The command line (see the module's docstring)."""
    parser = argparse.ArgumentParser(prog="python -m conformance.summary")
    parser.add_argument("--subunit", type=Path, required=True)
    parser.add_argument("--skips", type=Path, required=True, help="the skip list the run excluded")
    parser.add_argument("--before", type=Path, help="the inventory taken after seeding")
    parser.add_argument("--after", type=Path, help="the inventory taken after the run")
    parser.add_argument("--leaks", choices=("fail", "report"), default="fail")
    parser.add_argument("--known-leaks", type=Path, help="what Tempest's own tests leave behind (never a failure)")
    parser.add_argument("--threshold", type=float, default=95.0, help="lowest pass rate, in percent")
    parser.add_argument("--top", type=int, default=20, help="failure reasons to show")
    parser.add_argument("--elapsed", type=int, help="the Tempest run's wall time, in seconds")
    args = parser.parse_args(argv)
    summary = summarise(read_subunit(args.subunit))
    lines = report(summary, args.top)
    skips = parse_skips(args.skips.read_text())
    lines += ["", f"Excluded by {args.skips} ({len(skips)} entries):"]
    lines += [f"  {entry.regex}  ({entry.reason})" for entry in skips] or ["  none"]
    status = 0
    if args.before and args.after:
        known = leak_report.parse_known(args.known_leaks.read_text()) if args.known_leaks else []
        before, after = json.loads(args.before.read_text()), json.loads(args.after.read_text())
        leak_lines, leaked = leak_section(before, after, known, fail=args.leaks == "fail")
        lines += leak_lines
        if leaked:
            status = 1
    lines.append("")
    if args.elapsed is not None:
        lines.append(f"Tempest run wall time: {args.elapsed // 60} min {args.elapsed % 60} s")
    ok, verdict = gate(summary, args.threshold)
    lines += verdict
    if not ok:
        status = 1
    print("\n".join(lines))
    return status


if __name__ == "__main__":
    sys.exit(main())
