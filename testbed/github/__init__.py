"""A local stand-in for GitHub: git over smart HTTP and the REST API a release pipeline uses."""

from testbed.github.server import LocalGitHub
from testbed.github.state import Dispatch, Event, Fault

__all__ = ["Dispatch", "Event", "Fault", "LocalGitHub"]
