"""The officers' admin of organisations and collectives, split by subject."""

from . import collectives, organisations, records  # noqa: F401 - registers the ModelAdmins
