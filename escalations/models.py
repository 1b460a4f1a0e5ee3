from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from governance.access import VisibleToQuerySet
from governance.models import LEVEL_ORDER, TEXT_MAX_LENGTH, Level


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class IssueStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class IssueQuerySet(VisibleToQuerySet):
    """A supplier contact sees the issues their supplier is party to (through its contracts)."""

    supplier_path = "contracts__supplier"

    def visible_to(self, user):
        # An issue between several suppliers matches once per contract: keep it once.
        return super().visible_to(user).distinct()

    def flagged(self):
        return self.filter(status=IssueStatus.OPEN, flagged_at__isnull=False)

    def open_at(self, level, contracts):
        """The open issues at a level that concern any of the given contracts, and the late
        (flagged) ones of the level below, which this level was told of: a meeting's agenda."""
        rank = LEVEL_ORDER.index(Level(level))
        here = models.Q(level=level)
        if rank + 1 < len(LEVEL_ORDER):
            here |= models.Q(level=LEVEL_ORDER[rank + 1], flagged_at__isnull=False)
        return (
            self.filter(here, status=IssueStatus.OPEN, contracts__in=contracts)
            .distinct()
            .order_by("due_on", "pk")
        )


class Issue(models.Model):
    """A matter that lives at one governance level and can move up (escalate) or down."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=TEXT_MAX_LENGTH)
    level = models.CharField(_("level"), max_length=20, choices=Level, default=Level.OPERATIONAL)
    contracts = models.ManyToManyField(
        "suppliers.Contract",
        verbose_name=_("contracts"),
        related_name="issues",
        help_text=_("Several suppliers' contracts make a joint matter."),
    )
    owner_name = models.CharField(_("owner"), max_length=120)
    owner_organisation = models.CharField(_("owner's organisation"), max_length=200)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity, default=Severity.MEDIUM
    )
    due_on = models.DateField(
        _("due"),
        null=True,
        blank=True,
        help_text=_(
            "When the issue must be handled at its level. Empty: the level's response time."
        ),
    )
    level_since = models.DateTimeField(
        _("at this level since"),
        default=timezone.now,
        help_text=_("When the issue arrived at its current level (raised or moved there)."),
    )
    # True when due_on is the level's response time counted from level_since (not a date a
    # person gave): a change of the response time then moves it.
    due_by_response_time = models.BooleanField(_("due by the response time"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=IssueStatus, default=IssueStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    flagged_at = models.DateTimeField(
        _("flagged for escalation"),
        null=True,
        blank=True,
        help_text=_(
            "Set when the issue ran past its due date at its level; a move to another level "
            "clears it."
        ),
    )
    history = HistoricalRecords()

    objects = IssueQuerySet.as_manager()

    class Meta:
        verbose_name = _("issue")
        verbose_name_plural = _("issues")
        ordering = ["status", "due_on", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("escalations:issue_detail", args=[self.pk])

    @property
    def is_flagged(self):
        return self.status == IssueStatus.OPEN and self.flagged_at is not None

    @property
    def is_late(self):
        """Open past its due date at its level (the hourly timer flags it)."""
        return (
            self.status == IssueStatus.OPEN
            and self.due_on is not None
            and self.due_on < timezone.localdate()
        )

    @property
    def level_above(self):
        """The next level up (None at the business level)."""
        rank = LEVEL_ORDER.index(self.level)
        return LEVEL_ORDER[rank - 1] if rank > 0 else None

    @property
    def level_below(self):
        rank = LEVEL_ORDER.index(self.level)
        return LEVEL_ORDER[rank + 1] if rank + 1 < len(LEVEL_ORDER) else None


class EventKind(models.TextChoices):
    RAISED = "raised", _("Raised")
    ESCALATED = "escalated", _("Escalated")
    DE_ESCALATED = "de_escalated", _("De-escalated")
    RESOLVED = "resolved", _("Resolved")
    FLAGGED = "flagged", _("Flagged as late")
    COMMENTED = "commented", _("Commented")


class IssueEvent(models.Model):
    """What happened to an issue, with the reason: its history as the parties read it."""

    issue = models.ForeignKey(
        Issue, verbose_name=_("issue"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=EventKind)
    from_level = models.CharField(_("from level"), max_length=20, choices=Level, blank=True)
    to_level = models.CharField(_("to level"), max_length=20, choices=Level, blank=True)
    reason = models.TextField(_("reason"), blank=True, max_length=TEXT_MAX_LENGTH)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        help_text=_("Empty when the portal itself recorded the event (a timer)."),
    )
    at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("issue event")
        verbose_name_plural = _("issue events")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.issue}: {self.get_kind_display()}"
