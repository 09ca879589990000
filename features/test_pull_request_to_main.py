"""Binds pull_request_to_main.feature to the steps."""

from pytest_bdd import scenarios

scenarios("pull_request_to_main.feature")
