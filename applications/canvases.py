"""The blocks of the two canvases, as the collective fills them online."""

from django.utils.translation import gettext_lazy as _

from .models import CanvasKind

BLOCKS = {
    CanvasKind.BUSINESS_MODEL: [
        ("key_partners", _("Key partners")),
        ("key_activities", _("Key activities")),
        ("key_resources", _("Key resources")),
        ("value_propositions", _("Value propositions")),
        ("customer_relationships", _("Customer relationships")),
        ("channels", _("Channels")),
        ("customer_segments", _("Customer segments")),
        ("cost_structure", _("Cost structure")),
        ("revenue_streams", _("Revenue streams")),
    ],
    CanvasKind.TEAM: [
        ("people_and_roles", _("People and roles")),
        ("common_goals", _("Common goals")),
        ("personal_goals", _("Personal goals")),
        ("purpose", _("Purpose")),
        ("values", _("Values")),
        ("needs_and_expectations", _("Needs and expectations")),
        ("rules_and_activities", _("Rules and activities")),
        ("strengths_and_assets", _("Strengths and assets")),
        ("weaknesses_and_risks", _("Weaknesses and risks")),
    ],
}


def missing_blocks(kind, blocks: dict) -> list:
    return [label for code, label in BLOCKS[kind] if not (blocks or {}).get(code, "").strip()]
