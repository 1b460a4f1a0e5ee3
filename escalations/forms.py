from django import forms
from django.utils.translation import gettext_lazy as _

from governance.forms import Textarea
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
            "description": Textarea(attrs={"rows": 4}),
            "contracts": forms.CheckboxSelectMultiple,
            "due_on": DateInput(),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        offer_running_contracts(self.fields["contracts"])
        if user.is_supplier_contact:
            # A supplier contact raises issues about their own supplier's contracts; a joint
            # matter with a competitor is raised by the city, which sees both.
            contracts = self.fields["contracts"]
            contracts.queryset = contracts.queryset.filter(supplier_id=user.supplier_id)
            self.fields["owner_organisation"].initial = user.supplier.name
            self.fields["owner_name"].initial = user.get_full_name()


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=Textarea(attrs={"rows": 2}), max_length=2000)


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), widget=Textarea(attrs={"rows": 3}), max_length=2000
    )
