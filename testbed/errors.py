"""The one exception type of the testbed: its message names what broke and how to fix it."""


class TestbedError(RuntimeError):
    """The offline world could not be built or driven."""

    __test__ = False  # not a pytest test class, despite the name
