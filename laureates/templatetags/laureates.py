"""The laureates of a call on its public page (the call page belongs to `calls`, which may not
import this app: it loads this tag)."""

from django import template

from ..transparency import laureates_of

register = template.Library()


@register.inclusion_tag("laureates/_call_laureates.html")
def call_laureates(call):
    return {"call": call, "laureates": laureates_of(call)}


@register.inclusion_tag("laureates/_project_link.html")
def project_link(dossier):
    """On the collective's dossier page, the way to its project once it is opened."""
    project = None
    if dossier is not None and dossier.pk:
        from ..models import Project

        project = Project.objects.filter(decision__dossier=dossier).only(
            "pk", "collective_id", "status").first()
    return {"project": project}
