"""Fixtures shared by the testbed and reference tests."""
