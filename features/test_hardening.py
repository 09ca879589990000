"""Binds hardening.feature to the steps."""

from pytest_bdd import scenarios

scenarios("hardening.feature")
