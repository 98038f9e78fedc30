from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from .services import health


@never_cache
def sante(request):
    """JSON health report; 503 when a part is down, so a load balancer can act on it."""
    report = health()
    return JsonResponse(report, status=200 if report["database"]["ok"] else 503,
                        json_dumps_params={"ensure_ascii": False})
