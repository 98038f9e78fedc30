from django.conf import settings
from django.utils import translation


class ChosenLanguageMiddleware:
    """French unless the visitor chose otherwise with the language switch (cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language and greet most
    visitors of a French regional portal in English; here the browser does not decide.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _ in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch = response.get("Vary", "")
        if "Cookie" not in patch:
            response["Vary"] = f"{patch}, Cookie" if patch else "Cookie"
        translation.deactivate()
        return response
