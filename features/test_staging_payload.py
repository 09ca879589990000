"""Binds staging_payload.feature to the steps."""

from pytest_bdd import scenarios

scenarios("staging_payload.feature")
