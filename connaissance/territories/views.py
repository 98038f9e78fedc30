from django.http import JsonResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from .services import search_communes

MAX_RESULTS = 20
MAX_QUERY_LENGTH = 100


@require_GET
def commune_search(request):
    """Suggestions for the commune chooser: GET ?q=... -> [{code, label, departement, epci}].

    Reference data, the same for everyone: shared caches may keep answers for a day.
    """
    query = request.GET.get("q", "")[:MAX_QUERY_LENGTH]
    results = [
        {
            "code": commune.code,
            "label": str(commune),
            "departement": commune.departement.name,
            "epci": commune.epci.name if commune.epci_id else None,
        }
        for commune in search_communes(query, limit=MAX_RESULTS)
    ]
    response = JsonResponse(results, safe=False, json_dumps_params={"ensure_ascii": False})
    patch_cache_control(response, public=True, max_age=86400)
    return response
