"""Who may see and edit opportunity notes, and who follows incubations."""

import rules

from calls.rules import is_officer
from connaissance.accounts.roles import Role, has_role
from consortia.rules import is_collective_member


@rules.predicate
def is_tiers_lieux_staff(user):
    return has_role(user, Role.TIERS_LIEUX_STAFF)


@rules.predicate
def is_note_member(user, note):
    return note is not None and is_collective_member(user, note.collective)


rules.add_perm("applications.view_opportunitynote", is_note_member | is_officer)
rules.add_perm("applications.change_opportunitynote", is_note_member)
rules.add_perm("applications.decide_opportunitynote", is_officer)
rules.add_perm("applications.view_incubation", is_tiers_lieux_staff | is_officer)
rules.add_perm("applications.change_incubation", is_tiers_lieux_staff)


@rules.predicate
def is_dossier_member(user, dossier):
    return dossier is not None and is_collective_member(user, dossier.note.collective)


rules.add_perm("applications.view_dossier", is_dossier_member | is_officer)
rules.add_perm("applications.change_dossier", is_dossier_member)
