"""Refusals of the laureates' use cases; str(exc) is the message for the user."""


class LaureateError(Exception):
    pass
