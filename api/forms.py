from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from .models import Scope


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What uses it, so you know which to revoke: “Our ITSM tool”."),
    )
    scope = forms.ChoiceField(
        label=_("May"),
        choices=Scope.choices,
        initial=Scope.READ,
        widget=forms.RadioSelect,
        help_text=_("Read and write: report figures and raise issues, as you may in the portal."),
    )
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The longest lifetime is a setting, read when the form is made.
        most = settings.API_TOKEN_MAX_DAYS
        days = self.fields["days"]
        days.validators.append(MaxValueValidator(most))
        days.widget.attrs["max"] = most
        days.help_text = _("At most %(days)s days.") % {"days": most}
        days.initial = min(90, most)

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError(_("Give the token a name."))
        return name
