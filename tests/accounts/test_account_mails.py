"""allauth's mails (verification, password reset, unknown or existing account) are written in
French by default, with the portal's greeting and signature, and carry an HTML part in the
portal's mail layout that says what the text says."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from connaissance.mail.models import OutgoingMail
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "Un-mot-de-passe-solide-9"


def links(text):
    return re.findall(r"https?://\S+?(?=[\s<\"]|$)", text)


def check_layout(row, *, link_part):
    """French text with the portal's greeting and signature; the HTML in the portal's layout,
    with the same link."""
    assert row.body_text.startswith("Bonjour,")
    assert "Le portail Connaissance, Région Hauts-de-France" in row.body_text
    assert "Hello from" not in row.body_text and "Thank you for using" not in row.body_text
    html = row.body_html
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert '<html lang="fr">' in html and "Bonjour," in html
    assert f'href="{settings.SITE_URL}/"' in html  # the layout's link to the portal
    [link] = [u for u in links(row.body_text) if link_part in u]
    assert f'href="{link}"' in html


def test_the_verification_mail(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("account_signup"),
                    {"email": "porteuse@example.org", "password1": PASSWORD,
                     "password2": PASSWORD})
    row = OutgoingMail.objects.get(cause="account:email_confirmation_signup")
    check_layout(row, link_part="/compte/confirm-email/")
    assert "Confirmez votre adresse électronique" in row.body_html
    assert "Si vous n’avez pas créé de compte sur le portail" in row.body_text


def test_the_password_reset_mail(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="oubli@example.org")
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("account_reset_password"), {"email": user.email})
    row = OutgoingMail.objects.get(cause="account:password_reset_key")
    check_layout(row, link_part="/compte/password/reset/key/")
    assert "Choisir un nouveau mot de passe" in row.body_html


def test_the_unknown_account_mail(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("account_reset_password"), {"email": "inconnu@example.org"})
    row = OutgoingMail.objects.get(cause="account:unknown_account")
    check_layout(row, link_part="/compte/signup/")
    assert "inconnu@example.org" in row.body_html


def test_the_account_already_exists_mail(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="deja@example.org")
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("account_signup"),
                    {"email": user.email, "password1": PASSWORD, "password2": PASSWORD})
    row = OutgoingMail.objects.get(cause="account:account_already_exists")
    check_layout(row, link_part="/compte/password/reset/")
    assert "deja@example.org" in row.body_text and "deja@example.org" in row.body_html
