from django import forms
from django.utils.translation import gettext_lazy as _

from suppliers.forms import DateInput, offer_running_contracts

from .models import Issue


class IssueForm(forms.ModelForm):
    class Meta:
        model = Issue
        fields = [
            "title",
            "description",
            "level",
            "contracts",
            "owner_name",
            "owner_organisation",
            "severity",
            "due_on",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 4}),
            "contracts": forms.CheckboxSelectMultiple,
            "due_on": DateInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offer_running_contracts(self.fields["contracts"])


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )
