"""Expiring signed tokens for e-mail invitations."""

from django.core import signing

SALT = "consortia.invitation"


class BadToken(Exception):
    """The token was forged or altered."""


class ExpiredToken(Exception):
    """The token's signature is good but it is too old."""


def make_token(invitation) -> str:
    return signing.TimestampSigner(salt=SALT).sign(str(invitation.key))


def read_token(token: str, *, max_age_seconds: int) -> str:
    """Return the invitation key the token carries."""
    signer = signing.TimestampSigner(salt=SALT)
    try:
        return signer.unsign(token, max_age=max_age_seconds)
    except signing.SignatureExpired as exc:
        raise ExpiredToken from exc
    except signing.BadSignature as exc:
        raise BadToken from exc
