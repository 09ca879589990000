"""The reference release pipeline: the logic the reference workflows call through `release-cli`."""


class ReleaseError(Exception):
    """A release step cannot go on; the message says what and why in one line."""
