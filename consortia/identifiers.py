"""SIRET and NDA: validation with French messages, compact storage, display."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.fr import siret as siret_number


def clean_siret(value: str) -> str:
    """Return the compact SIRET (14 digits) or raise a ValidationError that says what is wrong."""
    compact = siret_number.compact(value or "")
    if not compact:
        raise ValidationError(_("Enter the SIRET number."), code="required")
    if not compact.isdigit():
        raise ValidationError(_("A SIRET number contains only digits."), code="siret_digits")
    if len(compact) != 14:
        raise ValidationError(
            _("A SIRET number has 14 digits; you entered %(count)d.") % {"count": len(compact)},
            code="siret_length")
    try:
        siret_number.validate(compact)
    except stdnum_errors.ValidationError as exc:
        raise ValidationError(
            _("This SIRET number is not valid (check digit). Check it on your Kbis or on "
              "annuaire-entreprises.data.gouv.fr."), code="siret_checksum") from exc
    return compact


def clean_nda(value: str) -> str:
    """The activity declaration number of a training body: 11 digits."""
    compact = "".join((value or "").split())
    if not compact:
        raise ValidationError(_("A training body gives its activity declaration number (NDA)."),
                              code="nda_required")
    if not compact.isdigit():
        raise ValidationError(_("The NDA contains only digits."), code="nda_digits")
    if len(compact) != 11:
        raise ValidationError(
            _("The NDA has 11 digits; you entered %(count)d.") % {"count": len(compact)},
            code="nda_length")
    return compact
