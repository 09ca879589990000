"""Binds image_tags.feature to the steps."""

from pytest_bdd import scenarios

scenarios("image_tags.feature")
