"""The text and PDF of a decision letter, from an officer-edited `LetterTemplate`.

The template's texts take placeholders in braces (« {collective} », « {amount} »), replaced by
plain strings: no template code of the officers ever runs (no attribute access, no index, no
format spec). Unknown placeholders are refused when the template is saved.
"""

import string
from datetime import date

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.dossier_documents import row_figures, row_title
from connaissance.formatting import long_date, money, percent
from connaissance.pdf.rendering import render_pdf
from consortia.models import ParticipationRole

LETTER_LANGUAGE = "fr"
PDF_TEMPLATE = "evaluation/letter_pdf.html"

PLACEHOLDERS = {
    "call": gettext_lazy("title of the call for projects"),
    "collective": gettext_lazy("name of the collective"),
    "lead": gettext_lazy("legal name of the lead organisation"),
    "project": gettext_lazy("title of the project"),
    "dossier": gettext_lazy("reference of the dossier"),
    "reference": gettext_lazy("reference of the letter (dossier reference, -L and version)"),
    "subject": gettext_lazy("the subject line, once filled"),
    "date": gettext_lazy("date of the letter, in words"),
    "amount": gettext_lazy("awarded amount, in figures"),
    "rate": gettext_lazy("awarded rate, in figures"),
    "eligible_base": gettext_lazy("eligible base of the filed budget"),
    "reasons": gettext_lazy("reasons of the decision"),
    "end_date": gettext_lazy("date by which projects must end"),
    "contact": gettext_lazy("contact address of the call"),
    "signatory_role": gettext_lazy("signatory's role"),
    "signatory_name": gettext_lazy("signatory's name"),
    "previous_reference": gettext_lazy("reference of the letter a correction replaces"),
    "previous_date": gettext_lazy("date of the letter a correction replaces"),
    "correction_reason": gettext_lazy("reason for the correction"),
}
TEMPLATE_TEXTS = ["subject", "dateline", "body", "correction_notice", "signatory_role",
                  "signatory_name"]


class PlaceholderError(ValueError):
    pass


def _fields(text):
    try:
        return list(string.Formatter().parse(text or ""))
    except ValueError as exc:
        raise PlaceholderError(_("A brace is not closed or not doubled: %(error)s.")
                               % {"error": exc}) from None


def check_placeholders(text):
    """Raise PlaceholderError for a placeholder that is not in PLACEHOLDERS (or that asks
    for an attribute, an index, a conversion or a format)."""
    for _literal, name, spec, conversion in _fields(text):
        if name is None:
            continue
        if name not in PLACEHOLDERS or spec or conversion:
            shown = "{" + name + (f"!{conversion}" if conversion else "") + \
                (f":{spec}" if spec else "") + "}"
            raise PlaceholderError(_(
                "Unknown placeholder %(field)s. Use one of: %(known)s (write {{ and }} for a "
                "brace).") % {"field": shown,
                              "known": ", ".join("{" + key + "}" for key in PLACEHOLDERS)})


def fill(text, values):
    """`text` with each known placeholder replaced by its value (a string)."""
    check_placeholders(text)
    return "".join(literal + (str(values.get(name, "")) if name is not None else "")
                   for literal, name, _spec, _conversion in _fields(text))


def lead_of(collective):
    participation = (collective.participations.select_related("organisation")
                     .filter(role=ParticipationRole.LEAD).first())
    return participation.organisation if participation else None


def values_for(decision, *, version, dated, previous=None, correction_reason=""):
    """The placeholder values of the letter `version` of `decision`, dated `dated`."""
    dossier = decision.dossier
    collective = dossier.note.collective
    call = collective.call
    lead = lead_of(collective)
    with translation.override(LETTER_LANGUAGE):
        figures = row_figures(dossier)
        return {
            "call": call.title, "collective": collective.name,
            "lead": lead.legal_name if lead else "", "project": row_title(dossier),
            "dossier": dossier.reference, "reference": f"{dossier.reference}-L{version}",
            "date": long_date(dated),
            "amount": money(decision.awarded_amount), "rate": percent(decision.awarded_rate),
            "eligible_base": money(figures.eligible_base), "reasons": decision.reasons,
            "end_date": long_date(call.eligibility_end) if call.eligibility_end else "",
            "contact": call.contact_email,
            "previous_reference": previous.reference if previous else "",
            "previous_date": long_date(previous.dated) if previous and previous.dated else "",
            "correction_reason": correction_reason,
            "_lead": lead, "_version": version,
        }


def sample_values(call, *, dated=None):
    """Made-up values for previewing a template (no dossier needed)."""
    dated = dated or date.today()
    with translation.override(LETTER_LANGUAGE):
        return {
            "call": call.title, "collective": "Collectif exemple de l'Avesnois",
            "lead": "Organisme de formation exemple", "project": "Tiers-lieu apprenant",
            "dossier": f"{call.reference_prefix}-D-000", "reference":
            f"{call.reference_prefix}-D-000-L2", "date": long_date(dated),
            "amount": money("200000"), "rate": percent("80"),
            "eligible_base": money("250000"),
            "reasons": "Exemple de motifs : ancrage territorial insuffisamment démontré.",
            "end_date": long_date(call.eligibility_end) if call.eligibility_end else "",
            "contact": call.contact_email, "previous_reference":
            f"{call.reference_prefix}-D-000-L1", "previous_date": long_date(dated),
            "correction_reason": "Exemple de rectification.",
            "_lead": None, "_version": 2,
        }


def letter_texts(template, values):
    """Every text of the letter, filled (the subject first: the body may quote it)."""
    texts = {"subject": fill(template.subject, values)}
    values = {**values, "subject": texts["subject"],
              "signatory_role": fill(template.signatory_role, values),
              "signatory_name": fill(template.signatory_name, values)}
    for name in ("dateline", "body", "signatory_role", "signatory_name"):
        texts[name] = fill(getattr(template, name), values)
    texts["correction_notice"] = (fill(template.correction_notice, values)
                                  if values.get("_version", 1) > 1 else "")
    return texts


def render_letter(template, values):
    """(PDF bytes, texts) of the letter."""
    texts = letter_texts(template, values)
    context = {"texts": texts, "reference": values["reference"], "lead": values.get("_lead"),
               "collective": values["collective"]}
    return render_pdf(PDF_TEMPLATE, context, language=LETTER_LANGUAGE), texts
