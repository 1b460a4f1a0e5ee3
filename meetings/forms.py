from django import forms
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from governance.forms import Textarea
from governance.models import TEXT_MAX_LENGTH, Role
from suppliers.forms import DateInput, offer_running_contracts

from .models import (
    Action,
    ActionStatus,
    AgendaProposal,
    Attendance,
    Forum,
    MinutesComment,
    MinutesItem,
    Mode,
)


class ForumForm(forms.ModelForm):
    class Meta:
        model = Forum
        fields = [
            "name",
            "level",
            "cadence",
            "contracts",
            "chair",
            "mode",
            "dial_in",
            "location",
            "weekday",
            "time_of_day",
            "duration_minutes",
            "week_of_month",
            "month_of_quarter",
            "month_of_year",
            "on_holiday",
            "agenda_template",
            "starts_on",
            "ends_on",
            "is_active",
        ]
        widgets = {
            "contracts": forms.CheckboxSelectMultiple,
            "time_of_day": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "starts_on": DateInput(),
            "ends_on": DateInput(),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offer_running_contracts(self.fields["contracts"])
        self.fields["chair"].queryset = get_user_model().objects.filter(
            is_active=True, role__in=[Role.PROCUREMENT, Role.DIRECTOR, Role.ADMINISTRATOR]
        )

    def clean(self):
        cleaned = super().clean()
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The last date cannot be before the first."))
        if cleaned.get("mode") in (Mode.PHONE, Mode.VIDEO) and not cleaned.get("dial_in"):
            self.add_error("dial_in", _("Give the dial-in number or link for a remote meeting."))
        if cleaned.get("mode") == Mode.ON_SITE and not cleaned.get("location"):
            self.add_error("location", _("Say where the meeting is held."))
        return cleaned


class RevisionForm(forms.ModelForm):
    """A form for a row edited by several people: it carries the revision it was read at."""

    revision = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31 - 1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["revision"] = self.instance.revision


class MinutesItemForm(RevisionForm):
    class Meta:
        model = MinutesItem
        fields = ["notes", "decisions"]
        widgets = {
            "notes": Textarea(attrs={"rows": 4}),
            "decisions": Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", f"item-{kwargs['instance'].pk}")
        super().__init__(*args, **kwargs)
        # Autosave: a second after the typing stops, the item is saved (with its revision, so
        # the usual conflict rules hold) and only its "Saved" note and revision come back: the
        # text being typed is never replaced. Requests of one item's form wait for each other.
        pk = self.instance.pk
        autosave = {
            "hx-post": reverse("meetings:minutes_item_edit", args=[pk]),
            "hx-trigger": "input changed delay:1s",
            "hx-include": "closest form",
            "hx-vals": '{"autosave": "1"}',
            "hx-target": f"#item-{pk}-saved",
            "hx-swap": "outerHTML",
            "hx-sync": "closest form:queue last",
        }
        for name in ("notes", "decisions"):
            self.fields[name].widget.attrs.update(autosave)


class ActionForm(RevisionForm):
    class Meta:
        model = Action
        fields = ["description", "owner_name", "owner_organisation", "due_on", "status"]
        widgets = {"description": Textarea(attrs={"rows": 2}), "due_on": DateInput()}

    def __init__(self, *args, **kwargs):
        instance = kwargs.get("instance")
        kwargs.setdefault("prefix", f"action-{instance.pk}" if instance and instance.pk else None)
        super().__init__(*args, **kwargs)
        if not (instance and instance.pk):
            # A new action is always open, and has no revision yet.
            del self.fields["status"]
            self.fields["revision"].required = False
        self.fields["owner_organisation"].widget.attrs["list"] = "organisations"
        self.fields["owner_name"].widget.attrs["list"] = "attendees"
        self.fields["owner_name"].help_text = _(
            "A name from the attendance with an account makes the action theirs: they update "
            "it between meetings and get its reminders."
        )


class AddItemForm(forms.Form):
    title = forms.CharField(label=_("New item"), max_length=200)


class AttendeeForm(forms.ModelForm):
    class Meta:
        model = Attendance
        fields = ["name", "email", "organisation", "side"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].widget.attrs["list"] = "organisations"


class CommentForm(forms.ModelForm):
    class Meta:
        model = MinutesComment
        fields = ["body"]
        widgets = {"body": Textarea(attrs={"rows": 3})}


class CorrectionForm(forms.Form):
    reason = forms.CharField(
        label=_("What needs correcting, and why"),
        widget=Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class ProposalForm(forms.ModelForm):
    class Meta:
        model = AgendaProposal
        fields = ["title", "description"]
        widgets = {"description": Textarea(attrs={"rows": 2})}


class DecisionForm(forms.Form):
    """The chair's answer to a proposal: the pressed button says accept or decline."""

    decision = forms.ChoiceField(
        choices=[("accept", _("Accept")), ("decline", _("Decline"))], widget=forms.HiddenInput
    )
    reason = forms.CharField(
        label=_("Reason, if declined (the proposer sees it)"),
        required=False,
        max_length=2000,
        widget=Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", f"proposal-{kwargs.pop('proposal').pk}")
        super().__init__(*args, **kwargs)


class ActionUpdateForm(forms.Form):
    """An owner's update of an action between meetings."""

    status = forms.ChoiceField(label=_("Status"), choices=ActionStatus.choices)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=Textarea(attrs={"rows": 3}),
        help_text=_("What was done, or what is in the way. The next minutes start from it."),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == ActionStatus.DROPPED and not cleaned.get("comment", "").strip():
            self.add_error("comment", _("Say why the action is dropped."))
        return cleaned
