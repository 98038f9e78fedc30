"""Finding communes by name, postcode or INSEE code."""

import re
import unicodedata

from django.db.models import Case, F, IntegerField, Q, TextField, Value, When
from django.db.models.functions import Cast

from .models import Commune

# Letters that Unicode decomposition does not reduce to ASCII.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss"})
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def normalise(text):
    """Lower-case ASCII without accents (œ -> oe); hyphens, apostrophes, any other punctuation
    and letters with no ASCII form become single spaces: "Villeneuve-d'Ascq" ->
    "villeneuve d ascq".

    A copy lives in migrations/0002_load_hauts_de_france.py (migrations never import app code):
    change both together.
    """
    text = unicodedata.normalize("NFKD", str(text or "").translate(_LIGATURES))
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return _NOT_ALNUM.sub(" ", text).strip()


def _postcodes_text():
    # The JSON list as text, e.g. '["59000", "59160"]', the same on PostgreSQL and SQLite.
    return Cast("postcodes", output_field=TextField())


def search_communes(query, *, limit=20):
    """Communes matching `query`, best first, at most `limit`.

    Each word of the query must begin the name or one of its words ("ascq" finds
    Villeneuve-d'Ascq), ignoring case, accents, hyphens and apostrophes; each number must begin
    one of the commune's postcodes or its INSEE code. A label such as "Lille (59000)" thus finds
    Lille. Exact matches come first, then names that begin with the query, then the most
    populated communes.
    """
    tokens = normalise(query).split()
    if not tokens or limit <= 0:
        return Commune.objects.none()
    words = [t for t in tokens if not t.isdigit()]
    numbers = [t for t in tokens if t.isdigit()]

    queryset = Commune.objects.all()
    if numbers:
        queryset = queryset.annotate(postcodes_text=_postcodes_text())
    condition = Q()
    for word in words:
        condition &= Q(search_name__startswith=word) | Q(search_name__contains=f" {word}")
    for number in numbers:
        condition &= Q(code__startswith=number) | Q(postcodes_text__contains=f'"{number}')
    queryset = queryset.filter(condition)

    exact = Q()
    if words:
        exact &= Q(search_name=" ".join(words))
    for number in numbers:
        exact &= Q(code=number) | Q(postcodes_text__contains=f'"{number}"')
    ranks = [When(exact, then=Value(0))]
    if words:
        ranks.append(When(search_name__startswith=" ".join(words), then=Value(1)))
    queryset = queryset.annotate(rank=Case(*ranks, default=Value(2), output_field=IntegerField()))
    return queryset.select_related("departement", "epci").order_by(
        "rank", F("population").desc(nulls_last=True), "search_name", "code"
    )[:limit]
