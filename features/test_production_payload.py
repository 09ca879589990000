"""Binds production_payload.feature to the steps."""

from pytest_bdd import scenarios

scenarios("production_payload.feature")
