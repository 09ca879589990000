"""The spec's report plugin (verdicts, evidence, shards, cucumber JSON, Markdown and HTML), which
lives in `testbed.report`; this module keeps its place in the root conftest's plugin list."""

from testbed.report.catalogue import GENERAL_MARKERS, load_catalogue
from testbed.report.plugin import evidence, pytest_addoption, pytest_configure

__all__ = ["GENERAL_MARKERS", "evidence", "load_catalogue", "pytest_addoption", "pytest_configure"]
