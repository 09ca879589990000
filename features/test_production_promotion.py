"""Binds production_promotion.feature to the steps."""

from pytest_bdd import scenarios

scenarios("production_promotion.feature")
