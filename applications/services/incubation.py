"""The incubation record of a pre-selected collective, kept by the Compagnie des tiers-lieux."""

from ..models import IncubationSession, NoteStatus


def shared_sessions(note):
    """What the collective sees of its incubation: only the sessions shared with it."""
    if note.status != NoteStatus.PRESELECTED or not hasattr(note, "incubation"):
        return IncubationSession.objects.none()
    return note.incubation.sessions.filter(shared=True)
