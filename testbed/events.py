"""TEMPORARY re-export, REMOVE after merging: moved to `testbed.actions`.

Kept only because testbed/world.py and steps/ (being edited elsewhere) still import this path;
change their import lines to the new ones (see the module below) and delete this file.
"""

from testbed.actions.events import run_requests

__all__ = ["run_requests"]
