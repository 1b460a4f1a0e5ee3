from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .content import ALLOWED_NAMES, Refused, check


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:.0f}"


class FileForm(forms.Form):
    """A file checked by its content and size; clean_file gives (name, bytes)."""

    file = forms.FileField(label=_("File"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("%(allowed)s, at most %(most)s MB.") % {
            "allowed": ALLOWED_NAMES,
            "most": _megabytes(settings.ATTACHMENT_MAX_BYTES),
        }

    def clean_file(self) -> tuple[str, bytes]:
        upload = self.cleaned_data["file"]
        most = settings.ATTACHMENT_MAX_BYTES
        if upload.size > most:
            raise forms.ValidationError(
                _("The file is %(size)s MB, more than the %(most)s MB a document may be.")
                % {"size": f"{upload.size / 1024 / 1024:.1f}", "most": _megabytes(most)}
            )
        content = upload.read()
        try:
            check(content, upload.name)
        except Refused as refusal:
            raise forms.ValidationError(str(refusal)) from None
        return upload.name, content


class AttachForm(FileForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    document_type = forms.ChoiceField(label=_("Document type"))

    field_order = ["title", "document_type", "file"]

    def __init__(self, *args: Any, types: list[tuple[str, Any]], **kwargs: Any) -> None:
        # Ids of its own: the record's page has other forms with a title.
        kwargs.setdefault("auto_id", "attachment-%s")
        super().__init__(*args, **kwargs)
        self.fields["document_type"].choices = types  # type: ignore[attr-defined]


class VersionForm(FileForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "version-%s")
        super().__init__(*args, **kwargs)
