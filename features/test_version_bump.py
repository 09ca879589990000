"""Binds version_bump.feature to the steps."""

from pytest_bdd import scenarios

scenarios("version_bump.feature")
