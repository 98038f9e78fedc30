"""Nothing typed is lost when the session has expired.

A form posted by someone who is no longer signed in is kept in the session (its fields, not its
files) under a key for the page, and the visitor is sent to the login page with ?next=<page>.
Django keeps the session's data when the user signs in, so the next GET of the page finds the
text: the view re-fills its form with it (nothing is saved yet) and says so.
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import QueryDict
from django.utils.translation import gettext as _

PREFIX = "keep_typed:"
NOT_KEPT = {"csrfmiddlewaretoken"}


def session_key(path: str) -> str:
    return PREFIX + path


def keep_typed(view):
    """Decorate a view of a signed-in user's form. The view then reads `request.kept_typed`:
    a QueryDict of what was typed before signing in again, or None."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        request.kept_typed = None
        if not request.user.is_authenticated:
            if request.method == "POST":
                request.session[session_key(request.path)] = {
                    name: request.POST.getlist(name) for name in request.POST
                    if name not in NOT_KEPT}
                messages.warning(request, _(
                    "Your session has expired. Sign in again: what you typed is kept and will "
                    "be shown again (files must be chosen again)."))
            return redirect_to_login(request.get_full_path())
        if request.method == "GET":
            kept = request.session.pop(session_key(request.path), None)
            if kept:
                data = QueryDict(mutable=True)
                for name, values in kept.items():
                    data.setlist(name, values)
                request.kept_typed = data
        return view(request, *args, **kwargs)

    return wrapper


def announce_kept(request):
    messages.warning(request, _("We kept what you typed before signing in again: check it "
                                "and save. Nothing has been saved yet."))
