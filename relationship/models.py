"""Trust beside control: the target picture, the calibrations the parties agreed, and how
each side feels the relationship stands after a key-supplier meeting."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from governance.access import VisibleToQuerySet
from governance.models import TEXT_MAX_LENGTH, Side
from meetings.models import meetings_taken_part_in


class GoalStatus(models.TextChoices):
    PURSUING = "pursuing", _("Pursuing")
    ACHIEVED = "achieved", _("Achieved")
    DROPPED = "dropped", _("Dropped")


class CityGoalQuerySet(VisibleToQuerySet):
    def supplier_rows(self, user: Any) -> "CityGoalQuerySet":
        # The city's own goals, not a supplier's data: every supplier works towards them.
        return self

    def current(self) -> "CityGoalQuerySet":
        return self.filter(retired_at__isnull=True)


class CityGoal(models.Model):
    """A part of the city's target picture (målbild): what the city wants its IT to achieve,
    written by the city and visible to every party; contract goals link to it."""

    title = models.CharField(_("goal"), max_length=200)
    description = models.TextField(
        _("what it looks like when we are there"), blank=True, max_length=TEXT_MAX_LENGTH
    )
    target_date = models.DateField(pgettext_lazy("a date", "by"), null=True, blank=True)
    # A retired goal is no longer part of the picture; contract goals keep their link to it.
    retired_at = models.DateTimeField(_("retired at"), null=True, blank=True)
    history = HistoricalRecords()

    objects = CityGoalQuerySet.as_manager()

    class Meta:
        verbose_name = _("city-wide goal")
        verbose_name_plural = _("the city's target picture")
        ordering = ["target_date", "pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_retired(self) -> bool:
        return self.retired_at is not None


class GoalQuerySet(VisibleToQuerySet):
    supplier_path = "contract__supplier"


class Goal(models.Model):
    """A part of the contract's target picture (målbild), visible to every party."""

    contract = models.ForeignKey(
        "suppliers.Contract",
        verbose_name=_("contract"),
        on_delete=models.CASCADE,
        related_name="goals",
    )
    title = models.CharField(_("goal"), max_length=200)
    description = models.TextField(
        _("what it looks like when we are there"), blank=True, max_length=TEXT_MAX_LENGTH
    )
    target_date = models.DateField(pgettext_lazy("a date", "by"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=GoalStatus, default=GoalStatus.PURSUING
    )
    city_goal = models.ForeignKey(
        CityGoal,
        verbose_name=_("part of the city's goal"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="contract_goals",
        help_text=_("The goal of the city's target picture this contract goal serves."),
    )
    history = HistoricalRecords()

    objects = GoalQuerySet.as_manager()

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["target_date", "pk"]

    def __str__(self) -> str:
        return self.title


class ExpectationQuerySet(VisibleToQuerySet):
    supplier_path = "contract__supplier"


class Expectation(models.Model):
    """A calibration of a requirement or expectation that the parties agreed on."""

    contract = models.ForeignKey(
        "suppliers.Contract",
        verbose_name=_("contract"),
        on_delete=models.CASCADE,
        related_name="expectations",
    )
    meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name=_("meeting"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="expectations",
        help_text=_("The meeting where it was agreed."),
    )
    agreed_on = models.DateField(_("agreed on"))
    requirement = models.CharField(
        _("requirement or expectation"),
        max_length=300,
        help_text=_("What it was about: the requirement, service level or expectation."),
    )
    calibration = models.TextField(_("what we agreed"), max_length=TEXT_MAX_LENGTH)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords()

    objects = ExpectationQuerySet.as_manager()

    class Meta:
        verbose_name = _("expectation")
        verbose_name_plural = _("expectations log")
        ordering = ["-agreed_on", "-pk"]

    def __str__(self) -> str:
        return self.requirement


class PulseQuerySet(VisibleToQuerySet):
    def supplier_rows(self, user: Any) -> "PulseQuerySet":
        # Of the meetings the supplier took part in.
        return self.filter(meeting_id__in=meetings_taken_part_in(user))


class PulseResponse(models.Model):
    """One person's view of the relationship after a quarterly key-supplier meeting."""

    SCORES = [(score, str(score)) for score in range(1, 6)]

    meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="pulse_responses",
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("respondent"),
        on_delete=models.PROTECT,
        related_name="pulse_responses",
    )
    side = models.CharField(_("side"), max_length=10, choices=Side)
    supplier = models.ForeignKey(
        "suppliers.Supplier",
        verbose_name=_("supplier"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="pulse_responses",
        help_text=_("The respondent's supplier; empty for the city's people."),
    )
    trust = models.PositiveSmallIntegerField(_("trust"), choices=SCORES)
    dialogue = models.PositiveSmallIntegerField(_("dialogue"), choices=SCORES)
    delivery = models.PositiveSmallIntegerField(_("delivery"), choices=SCORES)
    comment = models.TextField(_("comment"), blank=True, max_length=TEXT_MAX_LENGTH)
    answered_at = models.DateTimeField(_("answered at"), auto_now=True)
    # A changed answer keeps the one before, and the dashboard's pulse figures are reused until
    # an answer changes (portal.dashboard).
    history = HistoricalRecords()

    objects = PulseQuerySet.as_manager()

    class Meta:
        verbose_name = _("pulse response")
        verbose_name_plural = _("pulse responses")
        ordering = ["meeting", "side", "answered_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "respondent"], name="one_pulse_response_per_person"
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__gte": 1, f"{name}__lte": 5}),
                    name=f"pulse_{name}_1_to_5",
                )
                for name in ("trust", "dialogue", "delivery")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting}: {self.respondent}"
