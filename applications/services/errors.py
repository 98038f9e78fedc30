"""Refusals of the application use cases; str(exc) is the message for the user."""


class ApplicationError(Exception):
    pass


class StaleDraft(ApplicationError):
    """Someone else saved the draft since it was opened (optimistic locking)."""


class NotFileable(ApplicationError):
    """The note cannot be filed; `problems` lists every reason, for the user."""

    def __init__(self, problems):
        super().__init__(" ".join(str(p) for p in problems))
        self.problems = list(problems)
