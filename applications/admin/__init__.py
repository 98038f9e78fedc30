"""The admin of opportunity notes (officers) and of incubations (Compagnie des tiers-lieux)."""

from . import dossiers, incubations, notes  # noqa: F401 - registers the ModelAdmins
