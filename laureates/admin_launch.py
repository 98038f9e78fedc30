"""The officers' admin of the launch event of a call's laureates: the events with their answers
and attendance at a glance, the event's form (saved through `services.save_launch_event`), its
invitations with the attendance recorded once it has started (`services.record_attendance`),
and the page that sends the invitations and their updates (`services.send_invitations`).
Only Region officers see these pages; every rule stays in the services."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Count, Q, Sum
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from calls.models import Call
from connaissance.accounts.roles import is_officer
from connaissance.formatting import long_datetime
from connaissance.ui.admin_readonly import OfficersOnlyMixin
from consortia.models import ParticipationRole

from . import services
from .errors import LaureateError
from .models import Attendance, InvitationAnswer, LaunchEvent, LaunchInvitation
from .services.launch import EDITABLE_FIELDS, clean_event_values, pending_sends


class Refused(Exception):
    """A service's refusal met while saving the change form: the whole submission is undone."""


A, D, P = InvitationAnswer.ATTENDING, InvitationAnswer.DECLINED, InvitationAnswer.PENDING


def _counts(prefix=""):
    """The figures of an event's invitations: annotations of events (prefix "invitations__")
    or an aggregate of one event's invitations (no prefix)."""
    def q(**lookups):
        return Q(**{prefix + name: value for name, value in lookups.items()})

    pk = prefix + "pk"
    return {
        "invited": Count(pk),
        "attending": Count(pk, filter=q(answer=A)),
        "attending_people": Sum(prefix + "attendees", filter=q(answer=A)),
        "declined": Count(pk, filter=q(answer=D)),
        "pending": Count(pk, filter=q(answer=P)),
        "present": Count(pk, filter=q(attendance=Attendance.PRESENT)),
        "present_people": Sum(prefix + "attended_count", filter=q(attendance=Attendance.PRESENT)),
    }


def answers_text(figures):
    people = figures["attending_people"] or 0
    return gettext("%(attending)s attending (%(people)s) · %(declined)s declined · "
                   "%(pending)s without answer") % {
        **figures, "people": ngettext("%(n)s person", "%(n)s people", people) % {"n": people}}


def present_text(figures):
    people = figures["present_people"] or 0
    return gettext("%(present)s (%(people)s)") % {
        "present": figures["present"],
        "people": ngettext("%(n)s person", "%(n)s people", people) % {"n": people}}


# --- the event's form -------------------------------------------------------------------------

def _https_links(db_field, **kwargs):
    if isinstance(db_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return db_field.formfield(**kwargs)


class LaunchEventForm(forms.ModelForm):
    class Meta:
        model = LaunchEvent
        fields = ["call", *EDITABLE_FIELDS]
        formfield_callback = _https_links

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "call" in self.fields:  # a new event: the calls that have none
            self.fields["call"].queryset = Call.objects.filter(
                launch_event__isnull=True).order_by("-pk")

    def clean(self):
        data = super().clean()
        if any(name in self.errors for name in EDITABLE_FIELDS):
            return data  # the field's own error says it
        try:
            clean_event_values({name: data.get(name) for name in EDITABLE_FIELDS})
        except LaureateError as error:
            # On the end field: the model's own check of the order is then not repeated.
            self.add_error(error.field, str(error))
        return data


# --- the invitations and their attendance -----------------------------------------------------

class AttendanceForm(forms.ModelForm):
    # Named apart from the model's fields, which only the service changes (editable=False).
    attendance_status = forms.ChoiceField(
        label=_("attendance"), choices=Attendance.choices,
        help_text=_("Recorded once the event has started."))
    people_present = forms.IntegerField(label=_("people present"), required=False,
                                        min_value=1, max_value=999)

    class Meta:
        model = LaunchInvitation
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["attendance_status"] = self.instance.attendance
        self.initial["people_present"] = self.instance.attended_count


class InvitationInline(OfficersOnlyMixin, admin.TabularInline):
    model = LaunchInvitation
    form = AttendanceForm
    fields = ["organisation", "role_label", "collective", "answer", "attendees",
              "attendee_names", "remarks", "answered", "attendance_status", "people_present"]
    readonly_fields = ["organisation", "role_label", "collective", "answer", "attendees",
                       "attendee_names", "remarks", "answered"]
    extra = 0
    can_delete = False
    view_on_site = False

    def get_queryset(self, request):
        return (super().get_queryset(request)
                .select_related("organisation", "project__collective")
                .order_by("project__collective__name", "role", "organisation__legal_name",
                          "pk"))  # the lead ("lead" < "partner") first

    def has_change_permission(self, request, obj=None):
        return is_officer(request.user)

    def has_add_permission(self, request, obj=None):
        return False  # invited by `send_invitations`

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("role"))
    def role_label(self, invitation):
        return dict(ParticipationRole.choices).get(invitation.role, invitation.role)

    @admin.display(description=_("collective"))
    def collective(self, invitation):
        return invitation.project.collective.name

    @admin.display(description=_("answered"))
    def answered(self, invitation):
        return long_datetime(invitation.answered_at) if invitation.answered_at else "—"


# --- the events -------------------------------------------------------------------------------

@admin.register(LaunchEvent)
class LaunchEventAdmin(OfficersOnlyMixin, admin.ModelAdmin):
    form = LaunchEventForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["call_title", "title", "start", "place", "invited", "answers", "presence"]
    list_display_links = ["title"]
    search_fields = ["title", "call__title"]
    change_form_template = "admin/laureates/launchevent/change_form.html"

    def get_fieldsets(self, request, obj=None):
        fieldsets = [(None, {"fields": ["call", *EDITABLE_FIELDS]})]
        if obj is not None:
            fieldsets.append((_("Invitations"), {"fields": ["sending", "summary"]}))
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        return ["call", "sending", "summary"] if obj is not None else []

    def get_inlines(self, request, obj):
        return [InvitationInline] if obj is not None else []

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("call").annotate(
            **_counts("invitations__"))

    def has_change_permission(self, request, obj=None):
        return is_officer(request.user)

    def has_add_permission(self, request):
        return is_officer(request.user)

    def has_delete_permission(self, request, obj=None):
        # One by one, and only before any invitation went out.
        return (is_officer(request.user) and obj is not None
                and obj.invitations_sent_at is None and not obj.invitations.exists())

    class Media:
        css = {"all": ["laureates/admin.css"]}

    # --- columns -------------------------------------------------------------------------------

    @admin.display(description=_("call"), ordering="call__title")
    def call_title(self, event):
        return event.call.title

    @admin.display(description=_("starts"), ordering="starts_at")
    def start(self, event):
        return long_datetime(event.starts_at)

    @admin.display(description=_("invited"), ordering="invited")
    def invited(self, event):
        return event.invited

    @admin.display(description=_("answers"))
    def answers(self, event):
        return answers_text(vars(event))

    @admin.display(description=pgettext_lazy("organisations", "present"), ordering="present")
    def presence(self, event):
        return present_text(vars(event))

    @admin.display(description=_("sending"))
    def sending(self, event):
        new, updates = pending_sends(event)
        sent = (gettext("Invitations last sent on %(date)s (version %(version)s).")
                % {"date": long_datetime(event.invitations_sent_at),
                   "version": event.sequence + 1}
                if event.invitations_sent_at else gettext("No invitation sent yet."))
        waiting = gettext("To send: %(new)s new invitation(s), %(updates)s update(s).") % {
            "new": new, "updates": updates}
        return f"{sent} {waiting}"

    @admin.display(description=_("answers and attendance"))
    def summary(self, event):
        figures = LaunchInvitation.objects.filter(event=event).aggregate(**_counts())
        return gettext("%(invited)s invited organisation(s): %(answers)s. Present: "
                       "%(present)s.") % {"invited": figures["invited"],
                                          "answers": answers_text(figures),
                                          "present": present_text(figures)}

    # --- saving through the services -----------------------------------------------------------

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data.get(name) for name in EDITABLE_FIELDS}
        try:
            saved = services.save_launch_event(officer=request.user, call=obj.call,
                                               values=values, event=obj if change else None)
        except LaureateError as error:  # e.g. another officer created the event meanwhile
            raise Refused(str(error)) from None
        obj.pk, obj._state.adding = saved.pk, False
        obj.refresh_from_db()

    def save_formset(self, request, form, formset, change):
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if formset.model is not LaunchInvitation:
            return
        for f in formset.forms:
            if f.instance.pk is None or not f.has_changed():
                continue
            try:
                services.record_attendance(
                    officer=request.user, invitation=f.instance,
                    attendance=f.cleaned_data["attendance_status"],
                    attended_count=f.cleaned_data.get("people_present"))
            except LaureateError as error:
                raise Refused(str(error)) from None
            formset.changed_objects.append((f.instance, f.changed_data))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except Refused as refusal:
            # Raised through the admin's transaction: nothing of this submission is kept.
            messages.error(request, str(refusal))
            return HttpResponseRedirect(request.get_full_path())

    # --- sending the invitations -----------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [path("<int:pk>/envoyer/", view(self.send_view),
                     name="laureates_launchevent_send"),
                *super().get_urls()]

    def send_view(self, request, pk):
        if not is_officer(request.user):
            raise PermissionDenied
        event = get_object_or_404(LaunchEvent.objects.select_related("call"), pk=pk)
        if request.method == "POST":
            try:
                counts = services.send_invitations(officer=request.user, event=event)
            except LaureateError as error:
                messages.error(request, str(error))
            else:
                if counts["invited"] or counts["updated"]:
                    messages.success(request, gettext(
                        "Sent: %(invited)s new invitation(s), %(updated)s update(s).") % counts)
                else:
                    messages.info(request, gettext(
                        "Nothing to send: every organisation has the current version."))
                if counts["unmailed"]:
                    messages.warning(request, gettext(
                        "No administrator with an e-mail address to write to in: %(names)s. "
                        "They see the invitation on the portal but received no e-mail: "
                        "tell them directly.")
                        % {"names": ", ".join(counts["unmailed"])})
            return HttpResponseRedirect(reverse("admin:laureates_launchevent_change",
                                                args=[event.pk]))
        new, updates = pending_sends(event)
        return TemplateResponse(request, "admin/laureates/launchevent/send.html", {
            **self.admin_site.each_context(request), "opts": self.model._meta,
            "title": _("Send the invitations"), "event": event, "original": event,
            "new": new, "updates": updates, "start": long_datetime(event.starts_at)})

