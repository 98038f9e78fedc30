"""Refusals of the evaluation use cases; str(exc) is the message for the user."""


class EvaluationError(Exception):
    pass


class IncompleteEvaluation(EvaluationError):
    """The evaluation cannot be submitted; `problems` lists every reason, for the user."""

    def __init__(self, problems):
        super().__init__(" ".join(str(p) for p in problems))
        self.problems = list(problems)
