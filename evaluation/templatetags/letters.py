"""`{% decision_letters dossier %}`: the announced decision of a dossier (awarded amount and
rate, or the reasons) and its sent decision letters, for the collective's dossier page
(applications must not import evaluation: this tag is how the page shows them). A staged,
unannounced decision is never shown. The download goes through the files app's permission
check."""

from django import template

from ..models import Decision, DecisionLetter, LetterStatus

register = template.Library()


@register.inclusion_tag("evaluation/_letters_for_collective.html")
def decision_letters(dossier):
    letters, decision = [], None
    if dossier is not None and dossier.pk:
        decision = Decision.objects.filter(dossier=dossier, announced_at__isnull=False).first()
        letters = list(DecisionLetter.objects
                       .filter(decision__dossier=dossier, status=LetterStatus.SENT,
                               file__isnull=False)
                       .select_related("decision__dossier", "replaces__decision__dossier")
                       .order_by("-version"))
    return {"letters": letters, "decision": decision}
