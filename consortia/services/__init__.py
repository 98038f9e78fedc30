"""Use cases of organisations and collectives (one module per subject)."""
