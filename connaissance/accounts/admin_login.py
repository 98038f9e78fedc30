from functools import wraps

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import urlencode


def through_portal_login(view):
    """The admin's own login form would skip e-mail verification and TOTP: send people to
    allauth's login instead. A signed-in non-staff user gets a 404, like any denied object."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            if not (request.user.is_staff and request.user.is_active):
                raise Http404
            return view(request, *args, **kwargs)
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or request.get_full_path()
        login = resolve_url(settings.LOGIN_URL)
        return HttpResponseRedirect(f"{login}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")

    return wrapper
