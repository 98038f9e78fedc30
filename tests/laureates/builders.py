"""Builders of the laureates' tests: a dossier selected and announced through the evaluation
services, a signed agreement recorded through the laureates' services."""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from evaluation.services import announce, stage_decision
from laureates.services import record_signed_convention
from tests.core.factories_core import minimal_pdf
from tests.evaluation.builders import admissible_dossier, assign, evaluator
from tests.factories import UserFactory


def selected(world, *, dossier=None, **kwargs):
    """A staged « selected » decision on `dossier` (a new admissible dossier of the world's
    call by default): 200 000,00 € at 80 %."""
    if dossier is None:
        dossier, _member = admissible_dossier(call=world.call, agent=world.officer)
    assign(world.officer, dossier, world.ev1)
    dossier.refresh_from_db()
    return stage_decision(officer=world.officer, dossier=dossier, outcome="selected", **kwargs)


def announce_laureates(world):
    return announce(officer=world.officer, call=world.call)


def signed_pdf(name="convention-signee.pdf"):
    return SimpleUploadedFile(name, minimal_pdf("Convention signée"),
                              content_type="application/pdf")


def sign(world, project, *, on=None):
    return record_signed_convention(officer=world.officer, project=project,
                                    uploaded=signed_pdf(), signed_on=on or date.today())


def outsider(world, role):
    """Someone the officers' admin must keep out: the collective's `member`, an `evaluator` or
    `tiers_lieux_staff` (staff with TOTP activated, so that only permissions keep them out)."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    if role == "member":
        return world.member
    user = evaluator() if role == "evaluator" else UserFactory(roles=[role], is_staff=True)
    TOTP.activate(user, generate_totp_secret())
    return user
