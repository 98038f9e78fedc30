"""Refusals of the laureates' use cases; str(exc) is the message for the user."""


class LaureateError(Exception):
    """`field`: the form field the refusal is about, when it is about one."""

    def __init__(self, message, *, field=None):
        super().__init__(message)
        self.field = field


class StaleReport(LaureateError):
    """Someone saved the report since the form was read (`saved_version` is the new one)."""

    def __init__(self, message, saved_version):
        super().__init__(message)
        self.saved_version = saved_version
