"""The conformance harness's own logic: the summary of Tempest's results, the skip list, the
feature flags, tempest.conf and the leak report (no cloud, no Tempest needed)."""

from __future__ import annotations

import configparser
from pathlib import Path

import pytest

from conformance import leaks
from conformance.skips import Skip, excluded, parse_skips
from conformance.summary import (
    Result,
    failure_line,
    gate,
    generic,
    last_request,
    module_of,
    plain_id,
    report,
    summarise,
)
from conformance.tempest_conf import Cloud, disabled, parse_features, render

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_TRACEBACK = """Traceback (most recent call last):
  File "tempest/api/compute/admin/test_aggregates.py", line 60, in test_aggregate_create_delete
    aggregate = self._create_test_aggregate(name=aggregate_name)
  File "tempest/lib/common/rest_client.py", line 930, in validate_response
    raise exceptions.InvalidHTTPResponseBody(msg)
tempest.lib.exceptions.InvalidHTTPResponseBody: HTTP response body is invalid json or xml
Details: HTTP response body is invalid (Additional properties are not allowed ('hosts', 'metadata' were unexpected)

Failed validating 'additionalProperties' in schema['properties']['aggregate']:
"""


def bad_request(server_id: str) -> str:
    return (
        "Traceback (most recent call last):\n"
        '  File "tempest/lib/common/rest_client.py", line 1000, in _error_checker\n'
        "    raise exceptions.BadRequest(resp_body, resp=resp)\n"
        "tempest.lib.exceptions.BadRequest: Bad request\n"
        f"Details: {{'code': 400, 'message': 'Invalid input for field/attribute accessIPv6 of {server_id}.'}}\n"
    )


class TestIds:
    def test_it_strips_tempest_attributes(self):
        test_id = "tempest.api.compute.servers.test_servers.ServersTestJSON.test_update[id-5e6ccff8,smoke]"
        assert plain_id(test_id) == "tempest.api.compute.servers.test_servers.ServersTestJSON.test_update"
        assert module_of(test_id) == "servers.test_servers"

    def test_it_reads_class_fixtures(self):
        test_id = "setUpClass (tempest.api.compute.admin.test_hosts.HostsAdminTestJSON)"
        assert plain_id(test_id) == "tempest.api.compute.admin.test_hosts.HostsAdminTestJSON.setUpClass"
        assert module_of(test_id) == "admin.test_hosts"

    def test_a_module_at_the_package_root(self):
        assert module_of("tempest.api.compute.test_versions.TestVersions.test_list_api_versions") == "test_versions"


class TestFailureReasons:
    def test_it_takes_the_exception_and_the_first_line_of_details(self):
        reason = failure_line({"traceback": SCHEMA_TRACEBACK})
        assert reason == (
            "InvalidHTTPResponseBody: HTTP response body is invalid json or xml | HTTP response body is invalid "
            "(Additional properties are not allowed ('hosts', 'metadata' were unexpected)"
        )

    def test_the_last_exception_wins(self):
        text = "ValueError: first\nDuring handling of the above exception, another exception occurred:\n"
        text += "testtools.matchers._impl.MismatchError: 'ACTIVE' != 'ERROR'\n"
        assert failure_line({"traceback": text}) == "MismatchError: 'ACTIVE' != 'ERROR'"

    def test_ids_and_numbers_are_made_generic_for_grouping(self):
        one = generic(failure_line({"traceback": bad_request("0f6b1a3c-4d2e-4f5a-9b8c-7d6e5f4a3b2c")}))
        two = generic(failure_line({"traceback": bad_request("11111111-2222-4333-8444-555555555555")}))
        assert one == two
        assert "<uuid>" in one

    def test_without_a_traceback_the_last_line_is_the_reason(self):
        assert failure_line({"reason": "something\nwent wrong"}) == "went wrong"


LOG = (
    "2026-11-30 19:48:55,480 INFO [rest_client] Request (HostsTest:test_list_hosts): 200 GET "
    "http://127.0.0.1:8779/compute/v2.1/flavors/42 0.007s\n"
    "2026-11-30 19:48:55,487 INFO [rest_client] Request (HostsTest:test_list_hosts): 404 GET "
    "http://127.0.0.1:8779/compute/v2.1/os-hosts?zone=nova&x=1 0.007s\n"
    "2026-11-30 19:48:55,490 INFO [rest_client] Request (HostsTest:_run_cleanups): 204 DELETE "
    "http://127.0.0.1:8779/compute/v2.1/servers/5e6ccff8-0000-4000-8000-000000000000 0.007s\n"
)


class TestFailingRequest:
    def test_it_is_the_last_request_outside_the_cleanup(self):
        assert last_request({"pythonlogging:''": LOG}) == "404 GET /compute/v2.1/os-hosts?x&zone"

    def test_for_an_http_error_it_is_the_last_error_answer(self):
        log = LOG + LOG.splitlines(keepends=True)[0]
        assert last_request({"pythonlogging:''": log}, http_error=True) == "404 GET /compute/v2.1/os-hosts?x&zone"
        assert last_request({"pythonlogging:''": log}) == "200 GET /compute/v2.1/flavors/42"

    def test_failures_are_grouped_by_reason_and_request(self):
        details = {"traceback": bad_request("0f6b1a3c-4d2e-4f5a-9b8c-7d6e5f4a3b2c"), "pythonlogging:''": LOG}
        summary = summarise([Result("tempest.api.compute.admin.test_hosts.HostsTest.test_list_hosts", "fail", details)])
        [key] = summary.failures
        assert key.endswith("[404 GET /compute/v2.1/os-hosts?x&zone]")

    def test_no_log_no_request(self):
        assert last_request({}) == ""


def results() -> list[Result]:
    module = "tempest.api.compute.admin.test_aggregates.AggregatesAdminTestJSON"
    return [
        Result(f"{module}.test_one[id-1]", "success"),
        Result(f"{module}.test_two[id-2]", "fail", {"traceback": SCHEMA_TRACEBACK}),
        Result(f"{module}.test_three[id-3]", "fail", {"traceback": SCHEMA_TRACEBACK}),
        Result("tempest.api.compute.servers.test_novnc.NoVNCConsoleTestJSON.test_novnc", "skip", {"reason": "VNC off"}),
        Result("tempest.api.compute.servers.test_servers.ServersTestJSON.test_x", "xfail"),
        Result("tempest.api.compute.servers.test_servers.ServersTestJSON.test_y", "exists"),
    ]


class TestSummary:
    def test_it_counts_per_module(self):
        summary = summarise(results())
        assert summary.modules["admin.test_aggregates"] == {"passed": 1, "failed": 2}
        assert summary.modules["servers.test_novnc"] == {"skipped": 1}
        assert summary.modules["servers.test_servers"] == {"passed": 1}
        assert (summary.total("passed"), summary.total("failed"), summary.total("skipped")) == (2, 2, 1)

    def test_the_pass_rate_leaves_skips_out(self):
        assert summarise(results()).pass_rate() == pytest.approx(50.0)
        assert summarise([]).pass_rate() == 100.0

    def test_failures_are_grouped_and_skips_keep_tempests_reason(self):
        summary = summarise(results())
        [(key, failed)] = summary.failures.items()
        assert key.startswith("InvalidHTTPResponseBody:") and len(failed) == 2
        assert summary.skips == {"VNC off": ["tempest.api.compute.servers.test_novnc.NoVNCConsoleTestJSON.test_novnc"]}

    def test_unstable_tests_reported_as_skipped_are_listed_with_what_they_raised(self):
        reason = "Marked as unstable and skipped because of bug: https://launchpad.net/bugs/1, failure was: Bad header"
        test_id = "tempest.api.compute.servers.test_server_actions.ServerActionsTestOtherA.test_resize"
        summary = summarise([Result(test_id, "skip", {"reason": reason})])
        assert summary.total("skipped") == 1
        assert summary.unstable == [(test_id, "Bad header")]
        assert f"  {test_id}: Bad header" in report(summary)

    def test_the_report_shows_the_table_reasons_and_an_example(self):
        lines = report(summarise(results()))
        assert lines[0].split() == ["module", "passed", "failed", "skipped"]
        assert any(line.split() == ["admin.test_aggregates", "1", "2", "0"] for line in lines)
        assert any(line.startswith("   2 x InvalidHTTPResponseBody") for line in lines)
        assert any(
            "e.g. tempest.api.compute.admin.test_aggregates.AggregatesAdminTestJSON.test_two" in x for x in lines
        )
        assert any("VNC off" in line for line in lines)


class TestGate:
    def test_below_the_threshold_fails_and_the_last_line_counts(self):
        ok, lines = gate(summarise(results()), 95)
        assert not ok
        assert lines[0] == "pass rate 50.0% (threshold 95%): FAIL"
        assert lines[-1] == "2 passed, 2 failed, 1 skipped"

    def test_at_the_threshold_passes(self):
        ok, lines = gate(summarise(results()), 50)
        assert ok and lines[0].endswith(": ok")

    def test_a_run_where_no_test_ran_fails(self):
        skipped = [Result("tempest.api.compute.a.test_b.C.test_d", "skip", {"reason": "off"})]
        ok, lines = gate(summarise(skipped), 0)
        assert not ok
        assert "no test ran" in lines[1]
        assert lines[-1] == "0 passed, 0 failed, 1 skipped"


class TestSkipList:
    def test_each_entry_has_a_regex_and_a_reason(self):
        text = "# a comment\n\n^tempest\\.api\\.compute\\.test_x  # no such feature\n"
        assert parse_skips(text) == [Skip("^tempest\\.api\\.compute\\.test_x", "no such feature")]

    def test_an_entry_without_a_reason_is_refused(self):
        with pytest.raises(ValueError, match="line 2: .* has no reason"):
            parse_skips("# header\ntempest\\.api\\.compute\\.test_x\n")

    def test_an_entry_that_is_no_regex_is_refused(self):
        with pytest.raises(ValueError, match="not a regular expression"):
            parse_skips("tempest(  # reason\n")

    def test_it_says_which_entry_excludes_a_test(self):
        entries = [Skip("test_novnc", "no consoles")]
        found = excluded(entries, ["tempest.api.compute.servers.test_novnc.X.test_a", "tempest.api.compute.y.Z.t"])
        assert found == {"tempest.api.compute.servers.test_novnc.X.test_a": entries[0]}

    def test_the_repositorys_skip_list_is_valid(self):
        parse_skips((ROOT / "conformance" / "skips.txt").read_text())


class TestFeatures:
    def test_an_option_set_off_carries_the_comment_above_it(self):
        features = parse_features("[compute-feature-enabled]\nresize = True\n# no consoles\nvnc_console = False\n")
        assert features == {
            "compute-feature-enabled": {"resize": ("True", ""), "vnc_console": ("False", "no consoles")}
        }
        assert disabled(features) == [("compute-feature-enabled", "vnc_console", "no consoles")]

    def test_an_option_set_off_without_a_reason_is_refused(self):
        with pytest.raises(ValueError, match="line 4: vnc_console = False needs a reason"):
            parse_features(
                "[compute-feature-enabled]\n# a reason for resize only\nresize = True\nvnc_console = False\n"
            )

    def test_an_option_outside_a_section_is_refused(self):
        with pytest.raises(ValueError, match="inside a \\[section\\]"):
            parse_features("resize = True\n")

    def test_every_flag_the_repository_sets_off_has_a_reason(self):
        features = parse_features((ROOT / "conformance" / "features.conf").read_text())
        assert all(reason for _, _, reason in disabled(features))
        assert features["validation"]["run_validation"][0] == "False"


CLOUD = Cloud(
    identity_uri="http://127.0.0.1:8779/identity/v3",
    region="RegionOne",
    catalog_types=frozenset({"identity", "compute", "image", "network", "volumev3"}),
    max_microversion="2.96",
    volume_microversions=("3.0", "3.70"),
    compute_hosts=2,
    network_extensions=("external-net", "quotas"),
)
FACTS = {
    "image_ref": "img-1",
    "image_ref_alt": "img-2",
    "flavor_ref": "42",
    "flavor_ref_alt": "84",
    "fixed_network_name": "provider",
    "scheduler_filters": ["ComputeFilter", "SameHostFilter"],
}
SETTINGS = {"admin_password": "pw", "admin_project": "admin", "workspace": "/w", "build_timeout": "120"}


class TestTempestConf:
    def render(self, features_text: str, cloud: Cloud = CLOUD) -> configparser.ConfigParser:
        parser = configparser.ConfigParser(interpolation=None)
        parser.read_string(render(cloud, FACTS, parse_features(features_text), SETTINGS))
        return parser

    def test_it_says_what_the_cloud_said(self):
        conf = self.render("[compute-feature-enabled]\n# no consoles\nvnc_console = False\n")
        assert conf["auth"]["use_dynamic_credentials"] == "True"
        assert conf["auth"]["admin_password"] == "pw"
        assert conf["identity"]["uri_v3"] == "http://127.0.0.1:8779/identity/v3"
        assert conf["compute"]["max_microversion"] == "2.96"
        assert conf["compute"]["min_compute_nodes"] == "2"
        assert (conf["compute"]["image_ref"], conf["compute"]["image_ref_alt"]) == ("img-1", "img-2")
        assert (conf["compute"]["flavor_ref"], conf["compute"]["flavor_ref_alt"]) == ("42", "84")
        assert conf["volume"]["max_microversion"] == "3.70"
        assert conf["network-feature-enabled"]["api_extensions"] == "external-net,quotas"
        assert conf["compute-feature-enabled"]["scheduler_enabled_filters"] == "ComputeFilter,SameHostFilter"
        assert conf["compute-feature-enabled"]["vnc_console"] == "False"
        assert conf["oslo_concurrency"]["lock_path"] == "/w/locks"

    def test_a_service_said_available_must_be_in_the_catalog(self):
        cloud = Cloud(**{**CLOUD.__dict__, "catalog_types": frozenset({"compute"}), "volume_microversions": None})
        with pytest.raises(SystemExit, match="cinder = True but the catalog has no volumev3"):
            self.render("[service_available]\ncinder = True\n", cloud)


class TestLeaks:
    def test_what_was_not_there_after_seeding_is_a_leak(self):
        before = {"servers": [], "projects": ["p1 admin"], "flavors": ["42 m1.nano"]}
        after = {"servers": ["s1 vm"], "projects": ["p1 admin", "p2 tempest-x"], "flavors": ["42 m1.nano"]}
        assert leaks.compare(before, after) == {"servers": ["s1 vm"], "projects": ["p2 tempest-x"]}

    def test_a_report_line_per_kind_with_the_first_few(self):
        lines = leaks.describe({"servers": [f"s{i}" for i in range(7)]}, shown=2)
        assert lines == ["  servers: 7 left: s0; s1, ... (5 more)"]

    def test_known_tempest_leaks_are_split_off_by_kind_and_pattern(self):
        known = leaks.parse_known("# comment\n\nimages backup-1 of tempest-A-server  # A.test_x never deletes it\n")
        left = {
            "images": ["i1 backup-1 of tempest-A-server-1", "i2 backup-1 of tempest-B-server-2"],
            "servers": ["s1 backup-1 of tempest-A-server"],
        }
        ours, theirs = leaks.split_known(left, known)
        assert theirs == {"images": ["i1 backup-1 of tempest-A-server-1"]}
        assert ours == {"images": ["i2 backup-1 of tempest-B-server-2"], "servers": ["s1 backup-1 of tempest-A-server"]}

    @pytest.mark.parametrize("line", ["images backup  \n", "images  # no pattern\n", "images ([  # bad\n"])
    def test_a_known_leak_needs_a_pattern_and_a_reason(self, line):
        with pytest.raises(ValueError, match="line 1"):
            leaks.parse_known(line)

    def test_the_repository_list_parses_and_names_only_tempest_resources(self):
        entries = leaks.parse_known((ROOT / "conformance" / "tempest-leaks.txt").read_text())
        assert entries and all("tempest-" in entry.regex and entry.reason for entry in entries)

    def test_a_known_leak_does_not_fail_the_run_but_an_unknown_one_does(self):
        from conformance.summary import leak_section

        known = leaks.parse_known("images backup-1 of tempest-A-  # A never deletes it\n")
        before: dict[str, list[str]] = {"images": []}
        lines, failed = leak_section(before, {"images": ["i1 backup-1 of tempest-A-server-1"]}, known, fail=True)
        assert not failed and "Left behind by the run: nothing" in lines
        assert "  images: 1 left: i1 backup-1 of tempest-A-server-1" in lines
        lines, failed = leak_section(before, {"images": ["i2 backup-1 of tempest-B-server-1"]}, known, fail=True)
        assert failed and lines[-1].startswith("FAIL")
        assert not leak_section(before, {"images": ["i2 x"]}, known, fail=False)[1]


@pytest.mark.django_db
def test_the_image_inventory_names_the_server_a_snapshot_was_made_of(demo_api):
    from conformance import cloud
    from images.models import Image
    from servers.models import Server

    server = Server.objects.create(name="tempest-A-server-1", project_id="p", user_id="u", flavor={}, image_ref="x")
    Image.objects.create(name="backup-1", properties={"instance_uuid": str(server.uuid), "image_type": "backup"})
    Image.objects.create(name="odd", properties={"instance_uuid": "not-a-uuid"})
    names = [row.split(" ", 1)[1] for row in cloud.inventory()["images"]]
    assert "backup-1 of tempest-A-server-1" in names and "odd" in names
