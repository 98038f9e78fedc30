"""Opportunity notes for the Region officers: list, read-only note, decisions, CSV export.

Nothing is edited here: a note changes state only through the services (decide_note, which
goes through the note's transition table).
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from calls.territories import low_supply_match
from connaissance.audit.services import history
from connaissance.formatting import long_datetime, money
from connaissance.ui.admin_readonly import ReadOnlyMixin
from connaissance.workflow import TransitionNotAllowed

from ..canvases import BLOCKS
from ..models import Canvas, CanvasKind, NoteStatus, OpportunityNote
from ..services.decisions import decide_note
from ..services.errors import ApplicationError
from .common import DepartementFilter, EpciFilter, lead_name, low_supply_flag
from .export import notes_csv

STATUS = dict(NoteStatus.choices)


def download_link(file_id, label=None):
    if not file_id:
        return "—"
    return format_html('<a href="{}">{}</a>', reverse("files:download", args=[file_id]),
                       label or _("Download"))


class CanvasInline(ReadOnlyMixin, admin.TabularInline):
    model = Canvas
    fields = readonly_fields = ["kind", "mode", "file_link", "updated_at"]
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("note", "file")

    @admin.display(description=_("file"))
    def file_link(self, canvas):
        if not canvas.file_id:
            return "—"
        return download_link(canvas.file_id, canvas.file.original_name)


@admin.register(OpportunityNote)
class OpportunityNoteAdmin(admin.ModelAdmin):
    list_display = ["reference", "title", "status", "collective", "lead", "call",
                    "filed_on", "subsidy", "low_supply"]
    list_display_links = ["reference", "title"]
    list_select_related = ["collective__call"]
    list_filter = ["status", EpciFilter, DepartementFilter, "axes",
                   ("submitted_at", admin.DateFieldListFilter), "collective__call"]
    date_hierarchy = "submitted_at"
    search_fields = ["reference", "title", "collective__name"]
    inlines = [CanvasInline]
    actions = ["preselect", "not_retain", "export_csv"]
    fieldsets = [
        (None, {"fields": ["reference", "status", "collective", "lead", "call", "filed_on",
                           "submitted_by", "receipt_link"]}),
        (_("The project"), {"fields": ["title", "summary", "axes", "target_publics",
                                       "tiers_lieu_services", "partners"]}),
        (_("Territory"), {"fields": ["epcis", "communes", "territory_precision",
                                     "low_supply_territories"]}),
        (_("Amounts"), {"fields": ["total_cost", "subsidy"]}),
        (_("Decision"), {"fields": ["decision_message", "decided_on"]}),
        (_("What was filed"), {"fields": ["filed_snapshot"]}),
        (_("History"), {"fields": ["state_history"]}),
    ]
    readonly_fields = [name for _title, spec in fieldsets for name in spec["fields"]]

    def get_queryset(self, request):
        return (super().get_queryset(request)
                .select_related("collective__call", "submitted_by")
                .annotate(lead_name=lead_name(), low_supply_now=low_supply_flag()))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_decide_permission(self, request):
        return request.user.has_perm("applications.decide_opportunitynote")

    # --- columns and fields ------------------------------------------------------------------

    @admin.display(description=_("lead"), ordering="lead_name")
    def lead(self, note):
        return note.lead_name or "—"

    @admin.display(description=_("call"), ordering="collective__call__title")
    def call(self, note):
        return note.collective.call

    @admin.display(description=_("filed on"), ordering="submitted_at")
    def filed_on(self, note):
        return long_datetime(note.submitted_at) if note.submitted_at else "—"

    @admin.display(description=_("requested subsidy"), ordering="requested_subsidy")
    def subsidy(self, note):
        return money(note.requested_subsidy) or "—"

    @admin.display(description=_("estimated total cost"))
    def total_cost(self, note):
        return money(note.estimated_total_cost) or "—"

    @admin.display(description=_("low training supply"), boolean=True,
                   ordering="low_supply_now")
    def low_supply(self, note):
        return note.low_supply_now

    @admin.display(description=_("low-training-supply territories (as flagged now)"))
    def low_supply_territories(self, note):
        found = low_supply_match(note.collective.call, epcis=note.epcis.all(),
                                 communes=note.communes.all())
        return ", ".join(str(t) for t in found) or _("none")

    @admin.display(description=_("receipt"))
    def receipt_link(self, note):
        return download_link(note.receipt_id)

    @admin.display(description=_("decided on"))
    def decided_on(self, note):
        return long_datetime(note.decided_at) if note.decided_at else "—"

    @admin.display(description=_("snapshot of the filed note"))
    def filed_snapshot(self, note):
        if not note.snapshot:
            return _("Not filed yet.")
        return render_to_string("admin/applications/opportunitynote/snapshot.html",
                                {"rows": snapshot_rows(note.snapshot),
                                 "canvases": snapshot_canvases(note.snapshot)})

    @admin.display(description=_("changes of status"))
    def state_history(self, note):
        events = [e for e in history(note) if e.to_state]
        if not events:
            return "—"
        return format_html("<ul>{}</ul>", format_html_join(
            "", "<li>{} — {} : {} → {}{}</li>",
            ((long_datetime(e.at), e.actor_label or "—", STATUS.get(e.from_state, e.from_state),
              STATUS.get(e.to_state, e.to_state),
              f" ({e.reason})" if e.reason else "") for e in events)))

    # --- actions -----------------------------------------------------------------------------

    @admin.action(description=_("Pre-select the selected notes"), permissions=["decide"])
    def preselect(self, request, queryset):
        return self._decide(request, queryset, NoteStatus.PRESELECTED, "preselect")

    @admin.action(description=_("Do not retain the selected notes"), permissions=["decide"])
    def not_retain(self, request, queryset):
        return self._decide(request, queryset, NoteStatus.NOT_RETAINED, "not_retain")

    @admin.action(description=_("Export the selected notes to CSV"), permissions=["view"])
    def export_csv(self, request, queryset):
        return notes_csv(queryset)

    def _decide(self, request, queryset, decision, action):
        notes = list(queryset)
        message = (request.POST.get("message") or "").strip()
        error = None
        if "apply" in request.POST:
            if message:
                self._apply(request, notes, decision, message)
                return None
            error = _("Write the message to the collective: it is sent with the decision.")
        decidable = [n for n in notes if n.status == NoteStatus.SUBMITTED]
        context = {
            **self.admin_site.each_context(request),
            "title": _("Decision: %(decision)s") % {"decision": NoteStatus(decision).label},
            "opts": self.model._meta,
            "decision_label": NoteStatus(decision).label,
            "action": action,
            "notes": notes,
            "decidable": decidable,
            "skipped": [n for n in notes if n.status != NoteStatus.SUBMITTED],
            "message": message,
            "error": error,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/applications/opportunitynote/decide.html",
                                context)

    def _apply(self, request, notes, decision, message):
        done, skipped = 0, []
        for note in notes:
            if note.status != NoteStatus.SUBMITTED:
                skipped.append(note)
                continue
            try:
                decide_note(officer=request.user, note=note, decision=decision,
                            message=message)
            except (ApplicationError, TransitionNotAllowed) as exc:
                self.message_user(request, f"{note} : {exc}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, ngettext(
                "%(count)d note decided: %(decision)s; the collective has been told.",
                "%(count)d notes decided: %(decision)s; the collectives have been told.",
                done) % {"count": done, "decision": NoteStatus(decision).label},
                messages.SUCCESS)
        if skipped:
            self.message_user(request, ngettext(
                "%(count)d note skipped, not in the “filed” status: %(notes)s.",
                "%(count)d notes skipped, not in the “filed” status: %(notes)s.",
                len(skipped)) % {"count": len(skipped), "notes": ", ".join(
                    f"{n} ({n.get_status_display()})" for n in skipped)},
                messages.WARNING)


SNAPSHOT_FIELDS = ["title", "summary", "axes", "epcis", "communes", "territory_precision",
                   "low_supply", "target_publics", "tiers_lieu_services",
                   "estimated_total_cost", "requested_subsidy", "partners"]


def _label(name):
    if name == "low_supply":
        return _("low-training-supply territories (when filed)")
    return OpportunityNote._meta.get_field(name).verbose_name


def _value(name, value):
    if name in ("estimated_total_cost", "requested_subsidy"):
        return money(value) if value not in (None, "", "None") else "—"
    if name in ("epcis", "communes"):
        return [f"{item.get('name')} ({item.get('code')})" for item in value or []]
    if name == "partners":
        return [f"{item.get('name')} (SIRET {item.get('siret')})" for item in value or []]
    return value


def snapshot_rows(snapshot):
    """(label, text or list) pairs of the frozen note, in a readable order."""
    rows = []
    for name in SNAPSHOT_FIELDS:
        if name in snapshot:
            value = _value(name, snapshot[name])
            many = isinstance(value, list)
            rows.append({"label": _label(name), "items": value if many else None,
                         "text": None if many else (value or "—")})
    return rows


def snapshot_canvases(snapshot):
    canvases = []
    for item in snapshot.get("canvases", []):
        kind = item.get("kind")
        blocks = item.get("blocks") or {}
        known = [code for code, _label in BLOCKS.get(kind, [])]
        order = known + sorted(set(blocks) - set(known))  # the canvas's order, not the JSON's
        labels = dict(BLOCKS.get(kind, []))
        canvases.append({
            "kind": CanvasKind(kind).label if kind in CanvasKind.values else kind,
            "mode": (Canvas.Mode(item["mode"]).label if item.get("mode") in Canvas.Mode.values
                     else item.get("mode")),
            "file": item.get("file"), "sha256": item.get("sha256"),
            "blocks": [(labels.get(code, code), blocks[code]) for code in order
                       if code in blocks],
        })
    return canvases
