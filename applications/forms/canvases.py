"""The form of one canvas: upload a file, or fill its nine blocks online (one form, so that a
refused upload keeps the blocks typed)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..canvases import BLOCKS

# Long enough for a real canvas, short enough for the nine blocks to fit one A4 page.
BLOCK_MAX_LENGTH = 1200


class CanvasForm(forms.Form):
    UPLOAD, ONLINE = "upload", "online"

    file = forms.FileField(
        label=_("File of the canvas"), required=False,
        help_text=_("PDF, PNG, JPEG, OpenDocument or Office document; the content is checked, "
                    "not the name."))

    def __init__(self, *args, kind, max_mb, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        self.fields["file"].help_text = _(
            "PDF, PNG, JPEG, OpenDocument or Office document, %(max)s MB at most; the content "
            "is checked, not the name.") % {"max": max_mb}
        for code, label in BLOCKS[kind]:
            self.fields[code] = forms.CharField(
                label=label, required=False, max_length=BLOCK_MAX_LENGTH,
                widget=forms.Textarea(attrs={"rows": 5, "maxlength": BLOCK_MAX_LENGTH}))

    @property
    def action(self):
        return self.data.get("action") if self.is_bound else None

    def block_fields(self):
        return [self[code] for code, _label in BLOCKS[self.kind]]

    def blocks(self):
        return {code: self.cleaned_data.get(code) or "" for code, _label in BLOCKS[self.kind]}

    def clean(self):
        data = super().clean()
        if self.action == self.UPLOAD and not data.get("file") and "file" not in self.errors:
            self.add_error("file", _("Choose the file to upload."))
        return data
