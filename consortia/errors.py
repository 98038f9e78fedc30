"""Refusals of the consortia use cases; their message is for the user."""


class ConsortiaError(Exception):
    """A use case refused; str(exc) is a French sentence for the user."""


class SiretTaken(ConsortiaError):
    def __init__(self, message, organisation):
        super().__init__(message)
        self.organisation = organisation


class InvitationError(ConsortiaError):
    pass


class MembershipLocked(ConsortiaError):
    pass
