"""`{% if user|has_role:"evaluator" %}`: whether a user holds a role (by its stable code), for
the portal's menus; no context needed. One query per request at most (the user's groups are
cached on the user)."""

from django import template

from connaissance.accounts.roles import Role
from connaissance.accounts.roles import has_role as user_has_role

register = template.Library()


@register.filter
def has_role(user, code):
    try:
        role = Role(code)
    except ValueError:
        return False
    return bool(getattr(user, "is_authenticated", False)) and user_has_role(user, role)
