"""The admin: only through allauth's login, only for staff, and only with TOTP activated."""

import pytest
from django.urls import reverse

from .conftest import fresh_code, login, wrong_code

pytestmark = pytest.mark.django_db


def test_staff_without_totp_is_sent_to_totp_activation(client, staff_without_totp):
    client.force_login(staff_without_totp)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('mfa_activate_totp')}?next=/admin/"
    # Deeper admin pages too.
    response = client.get("/admin/calls/call/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_activate_totp"))


def test_staff_with_totp_reaches_the_admin(client, staff_with_totp):
    client.force_login(staff_with_totp)
    response = client.get("/admin/")
    assert response.status_code == 200
    assert response.context["user"] == staff_with_totp


def test_anonymous_visitor_is_sent_to_allauth_login_not_the_admin_form(client):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == f"{reverse('account_login')}?next=%2Fadmin%2F"
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "account/login.html"
    html = response.content.decode()
    assert 'id="login-form"' not in html  # the admin's own login form
    # The admin's login URL itself leads to allauth too, keeping where to go next.
    response = client.get("/admin/login/?next=/admin/calls/call/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=%2Fadmin%2Fcalls%2Fcall%2F"
    response = client.post("/admin/login/", {"username": "x", "password": "y"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_signed_in_non_staff_user_gets_404(client, member):
    client.force_login(member)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 404
    assert client.get("/admin/login/").status_code == 404


def test_staff_login_asks_for_the_totp_code(client, staff_with_totp):
    response = login(client, staff_with_totp, next="/admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session  # the password alone is not enough

    page = client.get(reverse("mfa_authenticate"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="code"' in html and 'autocomplete="one-time-code"' in html

    response = client.post(reverse("mfa_authenticate"), {"code": wrong_code()})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert 'aria-invalid="true"' in response.content.decode()

    response = client.post(reverse("mfa_authenticate"), {"code": fresh_code()})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.session["_auth_user_id"] == str(staff_with_totp.pk)
    assert client.get("/admin/").status_code == 200


def test_a_totp_code_is_not_accepted_twice(client, staff_with_totp):
    code = fresh_code()
    login(client, staff_with_totp)
    assert client.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    client.logout()
    login(client, staff_with_totp)
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
