"""Binds production_release.feature to the steps."""

from pytest_bdd import scenarios

scenarios("production_release.feature")
