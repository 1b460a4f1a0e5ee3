from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from governance.forms import ID_MAX, Textarea
from governance.models import TEXT_MAX_LENGTH, RoleHolder, normalise_email

from .models import (
    Contact,
    Contract,
    ContractStatus,
    NoticeChoice,
    OutcomeCommitment,
    Renewal,
    ServiceLevel,
    Supplier,
    Unit,
)
from .validators import normalise_organisation_number


class SupplierForm(forms.ModelForm):
    class Meta:
        model = Supplier
        fields = ["name", "organisation_number", "tier", "description"]
        widgets = {"description": Textarea(attrs={"rows": 3})}

    def clean_organisation_number(self):
        return normalise_organisation_number(self.cleaned_data["organisation_number"])


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["name", "title", "email", "phone"]

    def __init__(self, *args, supplier, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.supplier = supplier

    def clean_email(self):
        email = self.cleaned_data["email"].lower()
        others = Contact.objects.filter(supplier=self.instance.supplier, email=email)
        if others.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("This supplier already has a contact with this e-mail."))
        return email


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class ContractForm(forms.ModelForm):
    class Meta:
        model = Contract
        fields = [
            "supplier",
            "reference",
            "title",
            "scope",
            "purchased",
            "start_date",
            "end_date",
            "notice_period_months",
            "renewal",
            "renewal_term_months",
            "annual_value_sek",
        ]
        widgets = {
            "scope": Textarea(attrs={"rows": 3}),
            "purchased": Textarea(attrs={"rows": 3}),
            "start_date": DateInput(),
            "end_date": DateInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The supplier of a contract is fixed once the contract exists.
        if self.instance.pk:
            del self.fields["supplier"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date cannot be before the start date."))
        if cleaned.get("renewal") == Renewal.TACIT:
            if not end:
                self.add_error("end_date", _("A tacitly renewed contract needs an end date."))
            if not cleaned.get("renewal_term_months"):
                self.add_error(
                    "renewal_term_months",
                    _("Say how long each tacit renewal runs, in months."),
                )
        return cleaned


class OutcomeCommitmentForm(forms.ModelForm):
    class Meta:
        model = OutcomeCommitment
        fields = ["title", "description", "measured_by"]
        widgets = {"description": Textarea(attrs={"rows": 2})}


class ServiceLevelForm(forms.ModelForm):
    class Meta:
        model = ServiceLevel
        fields = ["name", "metric", "comparison", "target", "unit", "period"]

    def clean(self):
        cleaned = super().clean()
        target = cleaned.get("target")
        if target is not None:
            if target < 0:
                self.add_error("target", _("The target cannot be negative."))
            elif cleaned.get("unit") == Unit.PERCENT and target > 100:
                self.add_error("target", _("A percentage target must be between 0 and 100."))
        return cleaned


class InvitationForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    email = forms.EmailField(label=_("E-mail"))

    def __init__(self, *args, **kwargs):
        # The supplier page shows this form beside the contact form, whose fields have the same
        # names: ids of its own keep each label tied to its own field.
        kwargs.setdefault("auto_id", "id_invitation_%s")
        super().__init__(*args, **kwargs)

    def clean_email(self):
        email = normalise_email(self.cleaned_data["email"])
        if get_user_model().objects.filter(email=email).exists():
            raise forms.ValidationError(
                _("%(email)s already has an account in the portal."), params={"email": email}
            )
        return email


class AcceptInvitationForm(forms.Form):
    name = forms.CharField(label=_("Your name"), max_length=120)
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, invitation, **kwargs):
        super().__init__(*args, **kwargs)
        self.invitation = invitation

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2:
            if password1 != password2:
                self.add_error("password2", _("The two passwords differ."))
            else:
                probe = get_user_model()(
                    email=self.invitation.email, first_name=cleaned.get("name", "")
                )
                try:
                    password_validation.validate_password(password1, probe)
                except forms.ValidationError as error:
                    self.add_error("password1", error)
        return cleaned


class ContractFilterForm(forms.Form):
    """The contract list's filters; a filter that does not parse is left out."""

    q = forms.CharField(required=False, max_length=100)
    status = forms.ChoiceField(required=False, choices=[("", ""), *ContractStatus.choices])
    supplier = forms.IntegerField(required=False, min_value=1, max_value=ID_MAX)

    def filter(self, contracts):
        self.is_valid()  # cleaned_data keeps only the fields that parsed
        data = self.cleaned_data
        if data.get("q"):
            contracts = contracts.filter(
                Q(reference__icontains=data["q"]) | Q(title__icontains=data["q"])
            )
        if data.get("status"):
            contracts = contracts.filter(status=data["status"])
        if data.get("supplier"):
            contracts = contracts.filter(supplier_id=data["supplier"])
        return contracts


def offer_running_contracts(field):
    """Let a contracts field offer the contracts that have not ended, named by supplier."""
    field.queryset = (
        Contract.objects.exclude(status=ContractStatus.ENDED)
        .select_related("supplier")
        .order_by("supplier__name", "reference")
    )
    field.label_from_instance = lambda contract: (
        f"{contract.supplier.name}: {contract.reference} {contract.title}"
    )


class StatusChangeForm(forms.Form):
    """A contract's next status; giving notice and ending also ask who decided and why (the
    service refuses them without: change_contract_status)."""

    status = forms.ChoiceField(choices=ContractStatus.choices, widget=forms.HiddenInput)
    decided_by = forms.ModelChoiceField(
        label=_("Decided by"),
        queryset=RoleHolder.objects.none(),
        required=False,
        help_text=_("A business-level role holder on the city's side."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, contract, **kwargs):
        kwargs.setdefault("auto_id", "id_status_%s")
        super().__init__(*args, **kwargs)
        self.fields["decided_by"].queryset = contract.business_deciders()
        self.fields["decided_by"].label_from_instance = lambda holder: holder.name


class NoticeDecisionForm(forms.Form):
    """The city's decision for the current term before its notice deadline."""

    decision = forms.ChoiceField(
        label=_("Decision"), choices=NoticeChoice.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=Textarea(attrs={"rows": 2}),
        help_text=_("To terminate: the reason, which giving notice records."),
    )
    decided_by = forms.ModelChoiceField(
        label=_("Decided by (to terminate)"),
        queryset=RoleHolder.objects.none(),
        required=False,
        help_text=_("A business-level role holder on the city's side gives the notice."),
    )

    def __init__(self, *args, contract, **kwargs):
        kwargs.setdefault("auto_id", "id_notice_%s")
        super().__init__(*args, **kwargs)
        self.fields["decided_by"].queryset = contract.business_deciders()
        self.fields["decided_by"].label_from_instance = lambda holder: holder.name


class NoticeSnoozeForm(forms.Form):
    until = forms.DateField(
        label=_("Remind again on"),
        widget=DateInput(),
        help_text=_("At the latest the day of the next threshold, or the deadline after the last."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_snooze_%s")
        super().__init__(*args, **kwargs)
