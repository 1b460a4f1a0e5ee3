import secrets

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .models import (
    CITY_ROLES,
    Delivery,
    GovernanceLevel,
    RoleHolder,
    User,
    default_response_days,
    normalise_email,
)
from .notifications import DIGEST
from .outbox import email_message, enqueue_many


class Textarea(forms.Textarea):
    """A text area without the browser's maxlength: a browser cuts a pasted text at it without a
    word, where the form refuses a text too long with its length and keeps it for editing."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].pop("maxlength", None)
        return context


# The largest record id a filter takes: beyond it SQLite's integers overflow (a 500), and no
# record has one.
ID_MAX = 2**63 - 1


def id_from_query(text: str | None) -> int | None:
    """A record id from a query string's filter, or None for anything else. ASCII digits only:
    a superscript two is a digit to str.isdigit() but not to int()."""
    if not text or not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number <= ID_MAX else None


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def clean(self):
        # No password of spaces only signs in, whenever it was set (governance.passwords
        # refuses it for a new one): the same answer as a wrong password.
        password = self.cleaned_data.get("password")
        if password is not None and not password.strip():
            raise self.get_invalid_login_error()
        return super().clean()


class MandateForm(forms.ModelForm):
    class Meta:
        model = GovernanceLevel
        fields = ["mandate"]
        widgets = {"mandate": Textarea(attrs={"rows": 3})}


class ResponseTimeForm(forms.ModelForm):
    class Meta:
        model = GovernanceLevel
        fields = ["response_days"]
        error_messages = {
            "response_days": {
                "invalid": _("Give the response time as a whole number of days, such as 14."),
                "min_value": _("The response time is at least one day."),
                "max_value": _(
                    "The response time is at most %(limit_value)s days. Leave it empty for "
                    "the city's default."
                ),
            }
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["response_days"]
        field.help_text = _(
            "How many days an issue may stay open at this level before it is flagged as late "
            "and the level above is told. Leave it empty for the city's default "
            "(%(days)s days)."
        ) % {"days": default_response_days(self.instance.level)}
        field.widget.attrs.update({"inputmode": "numeric"})
        field.widget.attrs.pop("min", None)
        field.widget.attrs.pop("max", None)


class RoleHolderForm(forms.ModelForm):
    """A role at one level for a person the portal knows: one of the city's active staff or
    one of the contract's supplier's contacts, picked from a list (the side follows)."""

    person = forms.ChoiceField(
        label=_("Person"),
        help_text=_(
            "The city's staff, and the supplier's contacts. Add a contact on the supplier's "
            "page first."
        ),
    )

    class Meta:
        model = RoleHolder
        fields = ["role_title", "phone"]

    field_order = ["person", "role_title", "phone"]

    def __init__(self, *args, governance_level, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.governance_level = governance_level
        supplier = governance_level.contract.supplier
        self.staff = {
            f"user-{user.pk}": user
            for user in User.objects.filter(
                is_active=True, role__in=CITY_ROLES, erased_at__isnull=True
            ).order_by("first_name", "last_name", "email")
        }
        self.contacts = {
            f"contact-{contact.pk}": contact for contact in supplier.contacts.order_by("name")
        }
        self.fields["person"].choices = [
            ("", _("Choose a person")),
            (_("The city's staff"), [(key, _label(user)) for key, user in self.staff.items()]),
            (supplier.name, [(key, _label(c)) for key, c in self.contacts.items()]),
        ]

    def clean_person(self):
        key = self.cleaned_data["person"]
        person = self.staff.get(key) or self.contacts.get(key)
        if person is None:
            raise forms.ValidationError(_("Choose a person from the list."))
        return person

    def clean(self):
        cleaned = super().clean()
        person = cleaned.get("person")
        if person is None:
            return cleaned
        is_user = isinstance(person, User)
        cleaned["user"] = person if is_user else None
        cleaned["contact"] = None if is_user else person
        duplicate = RoleHolder.objects.filter(
            governance_level=self.instance.governance_level,
            role_title__iexact=cleaned.get("role_title", ""),
            **({"user": person} if is_user else {"contact": person}),
        )
        if duplicate.exists():
            raise forms.ValidationError(_("This person already holds this role at this level."))
        return cleaned

    def holder_fields(self) -> dict:
        """The service's keywords (add_role_holder) from the cleaned form."""
        return {
            "role_title": self.cleaned_data["role_title"],
            "phone": self.cleaned_data.get("phone", ""),
            "user": self.cleaned_data["user"],
            "contact": self.cleaned_data["contact"],
        }


def _label(person) -> str:
    """A person in the list: name and address (two people may share a name)."""
    if isinstance(person, User):
        name = person.get_full_name()
        return f"{name} ({person.email})" if name else person.email
    return f"{person.name} ({person.email})"


class PortalPasswordResetForm(PasswordResetForm):
    """Django's reset form, finding the person by their exact normalised address (its own
    case-blind lookup would take a lookalike address for theirs) and sending the link
    through the outbox like every other e-mail."""

    def get_users(self, email):
        return User.objects.filter(email=normalise_email(email), is_active=True).exclude(
            password=""
        )

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        with translation.override(context["user"].language):  # the account's own language
            subject = render_to_string(subject_template_name, context)
            body = render_to_string(email_template_name, context)
        # Each ask is its own e-mail (two in one second carry the same link, and both go).
        key = f"password-reset:{context['uid']}:{secrets.token_hex(8)}"
        enqueue_many([email_message(key, to=to_email, subject=subject, body=body)])


class SecondFactorForm(forms.Form):
    """A code from the authenticator app, or a recovery code (when `recovery` is allowed)."""

    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autofocus": True, "spellcheck": "false"}
        ),
    )


class RoleForm(forms.Form):
    """One of the city's roles, for one of its staff on the People page."""

    role = forms.ChoiceField(
        label=_("Role"),
        choices=[(role.value, role.label) for role in CITY_ROLES],
    )


class NotificationSettingsForm(forms.Form):
    """A person's choice for each kind of e-mail they have a choice about: at once, in the
    weekly digest, or not at all, as far as the kind allows (governance.notifications)."""

    def __init__(self, *args, kinds, initial_deliveries, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = kinds
        for kind in kinds:
            self.fields[kind.prefix] = forms.ChoiceField(
                label=kind.label,
                choices=kind.deliveries(),
                initial=initial_deliveries.get(kind.prefix),
                widget=forms.RadioSelect,
                required=False,  # a kind left unanswered comes at once
            )

    def clean(self):
        cleaned = super().clean()
        for kind in self.kinds:
            cleaned[kind.prefix] = cleaned.get(kind.prefix) or Delivery.AT_ONCE.value
        if cleaned.get(DIGEST) == Delivery.OFF:
            waiting = [
                kind.prefix for kind in self.kinds if cleaned.get(kind.prefix) == Delivery.DIGEST
            ]
            for prefix in waiting:
                self.add_error(
                    prefix,
                    _(
                        "The weekly digest is switched off: choose at once or not at all here, or "
                        "switch the digest on."
                    ),
                )
        return cleaned
