from typing import Any

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from governance.forms import Textarea
from meetings.models import Meeting, MeetingStatus
from suppliers.forms import DateInput

from .models import CityGoal, Expectation, Goal, GoalStatus, PulseResponse


class CityGoalForm(forms.ModelForm):
    """A part of the city's target picture."""

    description = forms.CharField(
        label=_("What it looks like when we are there"),
        widget=Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )

    class Meta:
        model = CityGoal
        fields = ["title", "description", "target_date"]
        widgets = {"target_date": DateInput()}


class GoalForm(forms.ModelForm):
    """A part of the target picture. Long text is bounded so a paste cannot swamp the page."""

    description = forms.CharField(
        label=_("What it looks like when we are there"),
        widget=Textarea(attrs={"rows": 3}),
        required=False,
        max_length=4000,
    )

    class Meta:
        model = Goal
        fields = ["title", "description", "target_date", "city_goal", "status"]
        widgets = {"target_date": DateInput()}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A new goal is always being pursued; its status changes afterwards.
        if not self.instance.pk:
            del self.fields["status"]
        # The city's current goals, and a retired one the goal still serves.
        city_goal = self.fields["city_goal"]
        current = Q(retired_at__isnull=True)
        if self.instance.city_goal_id:
            current |= Q(pk=self.instance.city_goal_id)
        city_goal.queryset = CityGoal.objects.filter(current)  # type: ignore[attr-defined]
        city_goal.empty_label = _("(none)")  # type: ignore[attr-defined]


class GoalStatusForm(forms.Form):
    status = forms.ChoiceField(choices=GoalStatus.choices)


class ExpectationForm(forms.ModelForm):
    """A calibration for one contract; the meeting is one of its forums' meetings held so far."""

    calibration = forms.CharField(
        label=_("What we agreed"), widget=Textarea(attrs={"rows": 3}), max_length=4000
    )

    class Meta:
        model = Expectation
        fields = ["agreed_on", "requirement", "calibration", "meeting"]
        widgets = {"agreed_on": DateInput()}

    def __init__(self, *args: Any, contract: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.contract = contract
        if not self.instance.pk:
            self.initial.setdefault("agreed_on", timezone.localdate())
        meetings = self.fields["meeting"]
        meetings.queryset = (  # type: ignore[attr-defined]
            Meeting.objects.filter(contracts=contract, starts_at__lte=timezone.now())
            .exclude(status=MeetingStatus.CANCELLED)
            .select_related("forum")
            .order_by("-starts_at")
        )
        meetings.label_from_instance = lambda meeting: (  # type: ignore[attr-defined]
            f"{timezone.localtime(meeting.starts_at):%Y-%m-%d} {meeting.forum.name}"
        )
        meetings.empty_label = _("(not at a meeting)")  # type: ignore[attr-defined]


SCORE_LABELS = {
    1: _("1 poor"),
    2: _("2 weak"),
    3: _("3 fair"),
    4: _("4 good"),
    5: _("5 excellent"),
}
SCORE_ERROR = _("Choose a score from 1 (poor) to 5 (excellent).")


class PulseForm(forms.ModelForm):
    """One person's pulse after a quarterly meeting: three scores and a comment."""

    comment = forms.CharField(
        label=_("Comment"),
        widget=Textarea(attrs={"rows": 3}),
        required=False,
        max_length=2000,
    )

    class Meta:
        model = PulseResponse
        fields = ["trust", "dialogue", "delivery", "comment"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("trust", "dialogue", "delivery"):
            field = self.fields[name]
            field.choices = list(SCORE_LABELS.items())  # type: ignore[attr-defined]
            field.widget = forms.RadioSelect(choices=field.choices)  # type: ignore[attr-defined]
            field.error_messages["required"] = SCORE_ERROR
            field.error_messages["invalid_choice"] = SCORE_ERROR
