"""Binds staging_release.feature to the steps."""

from pytest_bdd import scenarios

scenarios("staging_release.feature")
