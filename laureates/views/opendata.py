"""The public open data of the awards of a call."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from calls.models import Call

from ..transparency import scdl_csv as build_scdl_csv


@require_GET
def scdl_csv(request, slug):
    """The awards of a call (signed agreements) as SCDL « subventions » 2.1.1 CSV: public,
    like the call page (a draft call is a 404 for the public)."""
    call = get_object_or_404(Call, slug=slug)
    if not request.user.has_perm("calls.view_call", call):
        raise Http404
    response = HttpResponse(build_scdl_csv(call).encode("utf-8"),
                            content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="subventions-{call.slug}.csv"'
    return response
