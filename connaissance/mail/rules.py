"""Who manages the outbox: Region officers (and superusers), nobody else."""

from connaissance.accounts.roles import is_officer

__all__ = ["is_officer"]
