"""A local stand-in for GitHub: git over smart HTTP and the REST API a release pipeline uses."""

from testbed.github.server import Dispatch, Event, Fault, LocalGitHub

__all__ = ["Dispatch", "Event", "Fault", "LocalGitHub"]
