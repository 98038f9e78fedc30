"""Sign-up, e-mail verification through the portal's outbox, then sign-in, with allauth's views."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.urls import reverse

from connaissance.mail.models import OutgoingMail

pytestmark = pytest.mark.django_db

EMAIL = "porteuse@example.org"
NEW_PASSWORD = "Un-mot-de-passe-solide-9"
CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/compte/confirm-email/[^\s/]+/)")


def signup(client):
    return client.post(reverse("account_signup"),
                       {"email": EMAIL, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})


def test_signup_verification_then_login(client, eager_celery, django_capture_on_commit_callbacks,
                                        mailoutbox):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = signup(client)

    # The account exists, unverified, and nobody is signed in.
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = get_user_model().objects.get(email=EMAIL)
    address = EmailAddress.objects.get(user=user)
    assert (address.email, address.verified, address.primary) == (EMAIL, False, True)
    assert "_auth_user_id" not in client.session

    # The verification mail is a row of the outbox first, then sent by the Celery task.
    assert len(callbacks) == 1
    row = OutgoingMail.objects.get(cause="account:email_confirmation_signup")
    assert row.to == [EMAIL]
    assert row.status == OutgoingMail.Status.SENT
    [message] = mailoutbox
    assert message.to == [EMAIL]
    assert message.subject.startswith("[Connaissance] ")
    assert message.body == row.body_text
    link = CONFIRM_LINK.search(message.body)
    assert link, message.body
    confirm_path = link.group(1)

    # Signing in before the verification does not sign in.
    other = client.__class__()
    response = other.post(reverse("account_login"), {"login": EMAIL, "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in other.session

    # The link, opened elsewhere (a mail client): GET shows the confirmation, POST confirms.
    browser = client.__class__()
    response = browser.get(confirm_path)
    assert response.status_code == 200
    # (allauth re-signs the key with the current time: the form's action is an equivalent key.)
    assert re.search(r'<form method="post" action="/compte/confirm-email/[^"]+/"',
                     response.content.decode())
    address.refresh_from_db()
    assert not address.verified, "GET alone must not confirm (allauth 65)"
    response = browser.post(confirm_path)
    assert response.status_code == 302
    address.refresh_from_db()
    assert address.verified

    # Now the password signs in.
    response = browser.post(reverse("account_login"), {"login": EMAIL, "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert browser.session["_auth_user_id"] == str(user.pk)


def test_a_bad_confirmation_key_confirms_nothing(client, eager_celery,
                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        signup(client)
    response = client.post(reverse("account_confirm_email", args=["not-a-real-key"]))
    assert response.status_code == 404
    assert not EmailAddress.objects.get(email=EMAIL).verified


def test_a_wrong_password_does_not_sign_in(client, member):
    response = client.post(reverse("account_login"),
                           {"login": member.email, "password": "pas-le-bon-mot-de-passe"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    html = response.content.decode()
    assert 'class="alert alert-danger" role="alert"' in html
