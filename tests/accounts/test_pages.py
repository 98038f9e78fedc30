"""allauth's pages in the portal's page: language, header, Bootstrap forms, nothing CSP blocks."""

import re

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.urls import reverse

from tests.factories import PASSWORD

from .conftest import fresh_code, login

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")


def assert_portal_page(html, lang="fr"):
    assert f'<html lang="{lang}">' in html
    assert '<header class="portal-header">' in html
    assert '<main id="contenu"' in html
    assert 'class="portal-footer' in html
    assert "vendor/bootstrap/bootstrap.min" in html
    # Strict CSP: no style attribute, no inline script.
    assert not re.search(r"\sstyle=", html)
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html)


@pytest.mark.parametrize("url_name", ["account_login", "account_signup", "account_reset_password"])
def test_entrance_pages_are_portal_pages_in_french(client, url_name):
    response = client.get(reverse(url_name), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response.status_code == 200
    html = response.content.decode()
    assert_portal_page(html)
    assert '<meta name="portal-layout" content="allauth-entrance">' in html
    assert 'class="form-control"' in html
    assert 'class="btn btn-primary' in html


def test_login_page_content(client):
    html = client.get(reverse("account_login")).content.decode()
    assert "<title>" in html and "Connexion" in html  # allauth's French strings
    assert '<label class="form-label" for="id_login">' in html
    assert 'autocomplete="current-password"' in html
    assert 'aria-describedby="id_password-help"' in html
    assert 'id="id_password-help"' in html and reverse("account_reset_password") in html
    assert '<input class="form-check-input" type="checkbox"' in html  # "remember me"


def test_login_page_in_english_on_request(client):
    client.cookies["django_language"] = "en"
    html = client.get(reverse("account_login")).content.decode()
    assert_portal_page(html, lang="en")
    assert "Sign In" in html


def test_signup_errors_are_linked_to_their_fields(client):
    response = client.post(reverse("account_signup"),
                           {"email": "pas-une-adresse", "password1": "court", "password2": "autre"})
    assert response.status_code == 200
    html = response.content.decode()
    assert_portal_page(html)
    email_input = re.search(r"<input[^>]*id=\"id_email\"[^>]*>", html, re.S).group(0)
    assert "is-invalid" in email_input
    assert 'aria-invalid="true"' in email_input
    assert 'aria-describedby="id_email-error' in email_input
    assert 'value="pas-une-adresse"' in email_input
    assert re.search(r'<div class="invalid-feedback d-block" id="id_email-error">', html)
    password_input = re.search(r"<input[^>]*id=\"id_password1\"[^>]*>", html, re.S).group(0)
    assert 'aria-describedby="id_password1-error id_password1-help"' in password_input
    assert 'value="court"' not in html  # passwords are never sent back


def test_email_management_page(client, member):
    client.force_login(member)
    response = client.get(reverse("account_email"))
    html = response.content.decode()
    assert_portal_page(html)
    assert '<meta name="portal-layout" content="allauth-manage">' in html
    # The account navigation, with the current page marked.
    assert re.search(r'<a class="nav-link active" href="/compte/email/" aria-current="page">', html)
    assert f'value="{member.email}"' in html and 'type="radio"' in html
    assert "badge" in html and "Vérifiée" in html
    assert 'name="action_remove"' in html and "btn-danger" in html


def reauthenticated_on_totp_activation(client, user):
    """allauth asks for the password again before activating TOTP, even right after a sign-in."""
    login(client, user)
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    html = client.get(response["Location"]).content.decode()
    assert_portal_page(html)
    assert '<meta name="portal-layout" content="allauth-entrance">' in html
    assert 'name="password"' in html
    response = client.post(response["Location"], {"password": PASSWORD})
    assert response.status_code == 302
    return client.get(reverse("mfa_activate_totp"))


def test_totp_activation_shows_the_qr_code_as_a_data_uri(client, staff_without_totp):
    response = reauthenticated_on_totp_activation(client, staff_without_totp)
    assert response.status_code == 200
    html = response.content.decode()
    assert_portal_page(html)
    assert re.search(r'<img src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+"[^>]*class="allauth-qr',
                     html)
    assert "<svg" not in html  # never inline SVG markup
    secret = response.context["form"].secret
    assert re.search(rf'id="authenticator_secret"[^>]*disabled[^>]*value="{secret}"', html, re.S)
    assert 'name="code"' in html and 'autocomplete="one-time-code"' in html


def test_totp_activation_with_a_wrong_then_a_right_code(client, staff_without_totp):
    from allauth.mfa.utils import is_mfa_enabled

    from .conftest import wrong_code

    response = reauthenticated_on_totp_activation(client, staff_without_totp)
    secret = response.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": wrong_code(secret)})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-describedby="id_code-error"' in html and 'id="id_code-error"' in html
    assert not is_mfa_enabled(staff_without_totp)
    response = client.post(reverse("mfa_activate_totp"), {"code": fresh_code(secret)})
    assert response.status_code == 302
    assert is_mfa_enabled(staff_without_totp)
    assert client.get("/admin/").status_code == 200  # the middleware lets the officer in now


def test_mfa_index_and_recovery_codes(client, staff_with_totp):
    RecoveryCodes.activate(staff_with_totp)
    login(client, staff_with_totp)
    assert client.post(reverse("mfa_authenticate"), {"code": fresh_code()}).status_code == 302
    html = client.get(reverse("mfa_index")).content.decode()
    assert_portal_page(html)
    assert html.count('<section class="card allauth-panel') == 2
    assert 'class="card-footer' in html
    # Viewing the codes asks to reauthenticate (allauth 65 does not count the sign-in itself).
    response = client.get(reverse("mfa_view_recovery_codes"))
    assert response["Location"].startswith(reverse("account_reauthenticate"))
    client.post(response["Location"], {"password": PASSWORD})
    response = client.get(reverse("mfa_view_recovery_codes"))
    assert response.status_code == 200
    html = response.content.decode()
    assert_portal_page(html)
    codes = RecoveryCodes(staff_with_totp.authenticator_set.get(type="recovery_codes"))
    textarea = re.search(r"<textarea[^>]*id=\"recovery_codes\"[^>]*>(.*?)</textarea>", html, re.S)
    assert textarea and "readonly" in textarea.group(0)
    assert textarea.group(1).split() == codes.get_unused_codes()
