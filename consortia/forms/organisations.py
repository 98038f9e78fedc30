"""Forms of the organisation pages: they collect and shape input; the services decide."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from connaissance.files.sniffing import EXTENSIONS
from connaissance.territories.forms import CommuneField

from ..identifiers import clean_nda, clean_siret
from ..models import OrganisationKind

TRAINING_BODY_ONLY = _("Training bodies only.")


class OrganisationForm(forms.Form):
    """Identity, address and, for a training body, NDA and Qualiopi. `with_siret=False` for
    editing (the SIRET identifies the organisation and does not change)."""

    legal_name = forms.CharField(
        label=_("Legal name"), max_length=200,
        help_text=_("As registered in the SIRENE directory (raison sociale)."))
    siret = forms.CharField(
        label=_("SIRET number"), max_length=20,
        help_text=_("14 digits, on your Kbis or at annuaire-entreprises.data.gouv.fr. Spaces "
                    "are accepted."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    kind = forms.ChoiceField(label=_("Kind of organisation"),
                             choices=OrganisationKind.choices, widget=forms.RadioSelect)
    address = forms.CharField(label=_("Address"), max_length=255,
                              help_text=_("Number and street."),
                              widget=forms.TextInput(attrs={"autocomplete": "street-address"}))
    commune = CommuneField(label=_("Commune"), required=False)
    outside_region = forms.BooleanField(
        label=_("My organisation is located outside Hauts-de-France"), required=False,
        help_text=_("Then give its postcode and town instead of the commune."))
    postcode = forms.CharField(
        label=_("Postcode"), max_length=10, required=False,
        help_text=_("Outside Hauts-de-France only."),
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "inputmode": "numeric"}))
    town = forms.CharField(label=_("Town"), max_length=100, required=False,
                           help_text=_("Outside Hauts-de-France only."))
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https",
                             help_text=_("For example https://www.example.fr"))
    nda = forms.CharField(
        label=_("Activity declaration number (NDA)"), max_length=20, required=False,
        help_text=_("Training bodies only: 11 digits, given by the DREETS."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    qualiopi = forms.BooleanField(label=_("Qualiopi certified"), required=False,
                                  help_text=TRAINING_BODY_ONLY)

    field_order = ["legal_name", "siret", "kind", "address", "commune", "outside_region",
                   "postcode", "town", "website", "nda", "qualiopi"]

    def __init__(self, *args, with_siret=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not with_siret:
            del self.fields["siret"]
        for name in ("nda", "qualiopi"):
            self.fields[name].widget.attrs["data-training-body-only"] = "1"
        for name in ("postcode", "town"):
            self.fields[name].widget.attrs["data-outside-region-only"] = "1"

    @classmethod
    def initial_for(cls, organisation):
        return {
            "legal_name": organisation.legal_name, "kind": organisation.kind,
            "address": organisation.address, "commune": organisation.commune,
            "outside_region": organisation.commune_id is None,
            "postcode": organisation.postcode, "town": organisation.town,
            "website": organisation.website, "nda": organisation.nda,
            "qualiopi": organisation.qualiopi,
        }

    def clean_siret(self):
        return clean_siret(self.cleaned_data["siret"])

    def clean(self):
        data = super().clean()
        if data.get("kind") == OrganisationKind.TRAINING_BODY:
            if not data.get("nda"):
                self.add_error("nda", ValidationError(
                    _("A training body gives its activity declaration number (NDA)."),
                    code="nda_required"))
            elif "nda" not in self.errors:
                try:
                    data["nda"] = clean_nda(data["nda"])
                except ValidationError as exc:
                    self.add_error("nda", exc)
        if data.get("outside_region"):
            self._errors.pop("commune", None)  # a text left in the commune chooser is ignored
            for name, message in (("postcode", _("Give the postcode.")),
                                  ("town", _("Give the town."))):
                if not data.get(name) and name not in self.errors:
                    self.add_error(name, ValidationError(message, code="required"))
        elif not data.get("commune") and "commune" not in self.errors:
            self.add_error("commune", ValidationError(
                _("Choose the commune, or tick the box if your organisation is outside "
                  "Hauts-de-France."), code="required"))
        return data

    def service_fields(self):
        """The keyword arguments of create_organisation / update_organisation."""
        data = self.cleaned_data
        outside = data["outside_region"]
        fields = {
            "legal_name": data["legal_name"].strip(), "kind": data["kind"],
            "address": data["address"].strip(),
            "commune": None if outside else data["commune"],
            "postcode": data["postcode"].strip() if outside else "",
            "town": data["town"].strip() if outside else "",
            "website": data["website"], "nda": data.get("nda", ""),
            "qualiopi": data["qualiopi"],
        }
        if "siret" in data:
            fields["siret"] = data["siret"]
        return fields


class OrganisationEditForm(OrganisationForm):
    """The same, without the SIRET, plus the partner directory opt-in."""

    in_directory = forms.BooleanField(
        label=_("List my organisation in the partner directory"), required=False,
        help_text=_("Signed-in users can then find it by kind and territory and write to it "
                    "through the portal; your e-mail addresses are never shown. You can leave "
                    "the directory at any time."))
    directory_pitch = forms.CharField(
        label=_("Presentation in the directory"), required=False, widget=forms.Textarea(
            attrs={"rows": 3}),
        help_text=_("What you offer and the partners you are looking for."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, with_siret=False, **kwargs)

    @classmethod
    def initial_for(cls, organisation):
        return {**super().initial_for(organisation),
                "in_directory": organisation.in_directory,
                "directory_pitch": organisation.directory_pitch}

    def service_fields(self):
        return {**super().service_fields(),
                "in_directory": self.cleaned_data["in_directory"],
                "directory_pitch": self.cleaned_data["directory_pitch"].strip()}


ACCEPTED_FILES = ",".join(f".{ext}" for ext in sorted({*EXTENSIONS.values(), "jpeg"}))


class DigitalProofForm(forms.Form):
    digital_offer = forms.CharField(
        label=_("What part of your offer is digital?"), widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Courses, modalities (distance learning, blended, virtual classrooms, "
                    "digital resources...), tools used."))
    since = forms.DateField(
        label=_("Digital since"), widget=forms.DateInput(attrs={"type": "date"},
                                                        format="%Y-%m-%d"),
        help_text=_("The date from which this offer has been delivered digitally."))
    learner_count = forms.IntegerField(
        label=_("Learners trained digitally per year"), min_value=0,
        help_text=_("An estimate for the last twelve months."))
    links = forms.CharField(
        label=_("Links"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Web addresses showing the digital offer (catalogue, platform...), one per "
                    "line."))
    document = forms.FileField(
        label=_("Supporting document"), required=False,
        widget=forms.FileInput(attrs={"accept": ACCEPTED_FILES}),
        help_text=_("Optional. PDF, image (PNG, JPEG), OpenDocument or Office document; 10 MB "
                    "at most. A new document replaces the previous one."))

    @classmethod
    def initial_for(cls, proof):
        if proof is None:
            return {}
        return {"digital_offer": proof.digital_offer, "since": proof.since,
                "learner_count": proof.learner_count, "links": proof.links}

    def clean_since(self):
        since = self.cleaned_data["since"]
        if since > timezone.localdate():
            raise ValidationError(_("This date is in the future."), code="future")
        return since

    def clean_links(self):
        lines = [line.strip() for line in self.cleaned_data["links"].splitlines()
                 if line.strip()]
        validate = URLValidator(schemes=["http", "https"])
        for line in lines:
            try:
                validate(line)
            except ValidationError as exc:
                raise ValidationError(
                    _("“%(link)s” is not a web address (one address per line, beginning with "
                      "https://)."), code="invalid_link", params={"link": line}) from exc
        return "\n".join(lines)

    def service_fields(self):
        data = self.cleaned_data
        return {"digital_offer": data["digital_offer"].strip(), "since": data["since"],
                "learner_count": data["learner_count"], "links": data["links"],
                "uploaded": data["document"] or None}


class MemberInvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address of the person to invite"),
        help_text=_("They receive a link valid for 14 days to join the organisation."))
    message = forms.CharField(label=_("Message (optional)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class JoinRequestForm(forms.Form):
    message = forms.CharField(
        label=_("Message to the administrators (optional)"), required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Say who you are and your role in the organisation, so they can recognise "
                    "you."))
