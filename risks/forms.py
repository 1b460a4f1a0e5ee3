from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from escalations.models import Issue, IssueStatus
from governance.forms import Textarea
from governance.models import CITY_ROLES, User
from meetings.models import Meeting
from suppliers.forms import DateInput
from suppliers.models import Contact, Contract, Supplier

from .models import Impact, Likelihood, Risk, RiskComment, step_label

REVIEW_AFTER_DAYS = 90


class RiskForm(forms.ModelForm):
    """A risk of one supplier: its contract, owner and issues offered from that supplier's."""

    class Meta:
        model = Risk
        fields = [
            "supplier",
            "contract",
            "title",
            "description",
            "likelihood",
            "impact",
            "owner_user",
            "owner_contact",
            "mitigation",
            "review_on",
            "status",
            "shared_with_supplier",
            "issues",
        ]
        widgets = {
            "description": Textarea(attrs={"rows": 4}),
            "mitigation": Textarea(attrs={"rows": 4}),
            "review_on": DateInput(),
            "issues": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, supplier: Supplier | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["likelihood"].choices = [("", "---------")] + [
            (value, step_label(Likelihood, value)) for value in Likelihood.values
        ]
        self.fields["impact"].choices = [("", "---------")] + [
            (value, step_label(Impact, value)) for value in Impact.values
        ]
        if not self.instance.pk:
            self.fields["review_on"].initial = timezone.localdate() + timedelta(
                days=REVIEW_AFTER_DAYS
            )
        supplier = supplier or (self.instance.supplier if self.instance.supplier_id else None)
        if supplier is None and self.data.get("supplier"):
            supplier = Supplier.objects.filter(pk=_number(self.data.get("supplier"))).first()
        if self.instance.pk:
            # A risk stays with its supplier: its history and comments are that supplier's.
            del self.fields["supplier"]
        elif supplier is not None:
            # Chosen before the form (its contracts, contacts and issues are offered here).
            self.fields["supplier"].initial = supplier.pk
            self.fields["supplier"].widget = forms.HiddenInput()
        self.fields["owner_user"].queryset = User.objects.filter(
            role__in=CITY_ROLES, is_active=True
        ).order_by("first_name", "last_name", "email")
        self.fields["owner_user"].help_text = _("Either one of the city's staff…")
        self.fields["owner_contact"].help_text = _(
            "…or one of the supplier's contacts (the risk is then shared with the supplier)."
        )
        contacts = Contact.objects.order_by("name")
        contracts = Contract.objects.select_related("supplier").order_by("reference")
        issues = Issue.objects.filter(status=IssueStatus.OPEN)
        if supplier is not None:
            contacts = contacts.filter(supplier=supplier)
            contracts = contracts.filter(supplier=supplier)
            issues = Issue.objects.filter(contracts__supplier=supplier).distinct()
        else:
            contacts, contracts, issues = contacts.none(), contracts, issues.none()
        self.fields["owner_contact"].queryset = contacts
        self.fields["contract"].queryset = contracts
        self.fields["issues"].queryset = issues.order_by("-pk")
        if not issues.exists():
            del self.fields["issues"]


def _number(text: str | None) -> int | None:
    return int(text) if text and text.isascii() and text.isdigit() and len(text) < 19 else None


class CommentForm(forms.ModelForm):
    class Meta:
        model = RiskComment
        fields = ["body"]
        widgets = {"body": Textarea(attrs={"rows": 3})}


class AgendaForm(forms.Form):
    meeting = forms.ModelChoiceField(
        label=_("Meeting"), queryset=Meeting.objects.none(), empty_label=None
    )

    def __init__(self, *args, meetings: list[Meeting], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["meeting"]
        field.queryset = Meeting.objects.filter(pk__in=[meeting.pk for meeting in meetings])
        field.label_from_instance = lambda meeting: str(meeting)
