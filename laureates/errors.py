"""Refusals of the laureates' use cases; str(exc) is the message for the user."""


class LaureateError(Exception):
    pass


class StaleReport(LaureateError):
    """Someone saved the report since the form was read (`saved_version` is the new one)."""

    def __init__(self, message, saved_version):
        super().__init__(message)
        self.saved_version = saved_version
