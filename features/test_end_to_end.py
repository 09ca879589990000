"""Binds end_to_end.feature to the steps."""

from pytest_bdd import scenarios

scenarios("end_to_end.feature")
