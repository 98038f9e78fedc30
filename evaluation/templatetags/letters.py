"""`{% decision_letters dossier %}`: the sent decision letters of a dossier, for the
collective's dossier page (applications must not import evaluation: this tag is how the
page shows them). The download goes through the files app's permission check."""

from django import template

from ..models import DecisionLetter, LetterStatus

register = template.Library()


@register.inclusion_tag("evaluation/_letters_for_collective.html")
def decision_letters(dossier):
    letters = []
    if dossier is not None and dossier.pk:
        letters = list(DecisionLetter.objects
                       .filter(decision__dossier=dossier, status=LetterStatus.SENT,
                               file__isnull=False)
                       .select_related("decision__dossier", "replaces__decision__dossier")
                       .order_by("-version"))
    return {"letters": letters}
