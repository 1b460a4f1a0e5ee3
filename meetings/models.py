from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from governance.models import Level, RoleHolder
from suppliers.models import VisibleToQuerySet


class Cadence(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    QUARTERLY = "quarterly", _("Quarterly")


class Mode(models.TextChoices):
    PHONE = "phone", _("Phone")
    VIDEO = "video", _("Video")
    ON_SITE = "on_site", _("On site")


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")


class ForumQuerySet(VisibleToQuerySet):
    """A supplier contact sees the forums where one of their supplier's contracts sits."""

    supplier_path = "contracts__supplier"

    def visible_to(self, user):
        # A joint forum matches once per contract of the supplier: keep it once.
        return super().visible_to(user).distinct()


class Forum(models.Model):
    """A standing meeting series at one governance level, for one or more contracts."""

    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=20, choices=Level)
    cadence = models.CharField(_("cadence"), max_length=10, choices=Cadence)
    contracts = models.ManyToManyField(
        "suppliers.Contract",
        verbose_name=_("contracts"),
        related_name="forums",
        help_text=_("Several suppliers' contracts make a joint forum."),
    )
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chair"),
        on_delete=models.PROTECT,
        related_name="chaired_forums",
    )
    mode = models.CharField(_("mode"), max_length=10, choices=Mode, default=Mode.PHONE)
    dial_in = models.CharField(
        _("dial-in or video link"),
        max_length=300,
        blank=True,
        help_text=_("Number and PIN, or link."),
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    weekday = models.PositiveSmallIntegerField(
        _("weekday"), choices=Weekday, default=Weekday.MONDAY
    )
    time_of_day = models.TimeField(_("time (Stockholm)"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=60)
    week_of_month = models.PositiveSmallIntegerField(
        _("week of the month"),
        default=2,
        help_text=_("Quarterly forums: the first, second, third or fourth such weekday."),
    )
    month_of_quarter = models.PositiveSmallIntegerField(
        _("month of the quarter"),
        default=1,
        help_text=_("Quarterly forums: the first, second or third month of each quarter."),
    )
    starts_on = models.DateField(_("first possible date"))
    ends_on = models.DateField(_("last possible date"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ForumQuerySet.as_manager()

    class Meta:
        verbose_name = _("forum")
        verbose_name_plural = _("forums")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(week_of_month__gte=1, week_of_month__lte=4),
                name="forum_week_of_month_1_to_4",
            ),
            models.CheckConstraint(
                condition=Q(month_of_quarter__gte=1, month_of_quarter__lte=3),
                name="forum_month_of_quarter_1_to_3",
            ),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5, duration_minutes__lte=600),
                name="forum_duration_5_to_600_minutes",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("meetings:forum_detail", args=[self.pk])

    def meeting_dates(self, first, last):
        """The local dates of this forum's meetings between first and last, inclusive."""
        first = max(first, self.starts_on)
        if self.ends_on:
            last = min(last, self.ends_on)
        if self.cadence == Cadence.WEEKLY:
            day = first + timedelta(days=(self.weekday - first.weekday()) % 7)
            while day <= last:
                yield day
                day += timedelta(weeks=1)
            return
        year, month = first.year, first.month
        while (year, month) <= (last.year, last.month):
            if (month - 1) % 3 + 1 == self.month_of_quarter:
                day = self._nth_weekday(year, month)
                if first <= day <= last:
                    yield day
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)

    def _nth_weekday(self, year, month):
        first_of_month = datetime(year, month, 1).date()
        offset = (self.weekday - first_of_month.weekday()) % 7
        return first_of_month + timedelta(days=offset, weeks=self.week_of_month - 1)

    def default_attendees(self):
        """The people holding a role at this forum's level of its contracts, each once."""
        holders = (
            RoleHolder.objects.filter(
                governance_level__level=self.level, governance_level__contract__forums=self
            )
            .select_related("governance_level__contract__supplier")
            .order_by("side", "governance_level__contract__supplier__name", "name")
        )
        people = {}
        for holder in holders:
            people.setdefault((holder.side, holder.email), holder)
        return list(people.values())

    def supplier_names(self):
        """The suppliers taking part, from the (prefetched) contracts."""
        return sorted({contract.supplier.name for contract in self.contracts.all()})

    def starts_at(self, day):
        """Stockholm wall-clock time: 09:00 stays 09:00 on both sides of a DST change."""
        return datetime.combine(day, self.time_of_day, tzinfo=ZoneInfo(settings.TIME_ZONE))


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HELD = "held", _("Held")
    CANCELLED = "cancelled", _("Cancelled")


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(forum__in=Forum.objects.visible_to(user))


class Meeting(models.Model):
    """One occurrence of a forum. The database, not beat, is the truth about which exist."""

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="meetings")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus, default=MeetingStatus.PLANNED
    )
    sequence = models.PositiveIntegerField(
        default=0, help_text=_("Raised on every change sent to attendees (ICS SEQUENCE).")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["forum", "starts_at"], name="one_meeting_per_forum_slot"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="meeting_ends_after_start"
            ),
        ]

    def __str__(self):
        return f"{self.forum.name} {self.starts_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self):
        return reverse("meetings:meeting_detail", args=[self.pk])

    @property
    def ics_uid(self):
        """Stable across changes, so calendars update the same event."""
        return f"meeting-{self.pk}@governance-portal"
