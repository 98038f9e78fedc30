"""Who may download a stored file: whoever may view what it belongs to."""

import rules


@rules.predicate
def can_view_owner(user, stored):
    if stored is None or not user.is_authenticated:
        return False
    owner = stored.owner
    if owner is None:
        return stored.created_by_id == user.pk or user.is_superuser
    meta = owner._meta
    return user.has_perm(f"{meta.app_label}.view_{meta.model_name}", owner)


rules.add_perm("files.download_storedfile", can_view_owner)
