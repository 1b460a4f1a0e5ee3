from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from governance.access import VisibleToQuerySet
from governance.models import NOTES_MAX_LENGTH, TEXT_MAX_LENGTH, Level, RoleHolder, Side
from suppliers.models import ContractStatus
from suppliers.validators import validate_plausible_date

from .agenda import ANNUAL_REVIEW, create_annual_review_template, create_standard_template
from .working_days import holiday_name, next_working_day

# How long before its start a meeting's minutes can be opened (the agenda page says so).
MINUTES_LEAD = timedelta(hours=24)
# How far a meeting moved off a holiday can land after its rule day (Christmas Eve to the
# Monday after Boxing Day is four days; Easter from Good Friday to Tuesday five).
HOLIDAY_REACH = timedelta(days=10)


class Cadence(models.TextChoices):
    WEEKLY = "weekly", _("Weekly")
    QUARTERLY = "quarterly", _("Quarterly")
    ANNUAL = "annual", _("Annual")


class OnHoliday(models.TextChoices):
    """What happens to a meeting whose rule day is a holiday or an eve (meetings.working_days)."""

    MOVE = "move", _("Move to the next working day")
    SKIP = "skip", _("Skip it")


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


class ItemKind(models.TextChoices):
    TOPIC = "topic", _("Topic")
    OPEN_ACTIONS = "open_actions", _("Open actions")
    ESCALATIONS = "escalations", _("Escalations")
    # Standing items that show the reported figures live and freeze them on approval.
    AVAILABILITY = "availability", _("Availability against target")
    SUPPORT_TICKETS = "support_tickets", _("Support tickets")
    SUPPORT_QUESTIONS = "support_questions", _("Questions to support")


class AgendaTemplateQuerySet(models.QuerySet):
    def standard_for(self, level):
        """The level's first template; the built-in standard one if the level has none."""
        # The annual review is not a level's standard (forums of the annual rhythm take it).
        template = self.filter(level=level).exclude(name=ANNUAL_REVIEW).first()
        if template is None:
            template = create_standard_template(AgendaTemplate, AgendaTemplateItem, level)
        return template

    def annual_review(self):
        """The annual business review's template (re-created if it was deleted)."""
        return create_annual_review_template(AgendaTemplate, AgendaTemplateItem)


class AgendaTemplate(models.Model):
    """The standing items a level's meetings start from (editable in the admin)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    level = models.CharField(_("level"), max_length=20, choices=Level)

    objects = AgendaTemplateQuerySet.as_manager()

    class Meta:
        verbose_name = _("agenda template")
        verbose_name_plural = _("agenda templates")
        ordering = ["level", "name"]

    def __str__(self):
        return self.name


class AgendaTemplateItem(models.Model):
    template = models.ForeignKey(
        AgendaTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=200)
    guidance = models.CharField(_("guidance"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind, default=ItemKind.TOPIC)

    class Meta:
        verbose_name = _("agenda template item")
        verbose_name_plural = _("agenda template items")
        ordering = ["template", "position"]
        constraints = [
            models.UniqueConstraint(fields=["template", "position"], name="one_item_per_position"),
        ]

    def __str__(self):
        return self.title


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
    # The language the meeting is held in: its minutes PDF is written in it.
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="sv"
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
        help_text=_(
            "Quarterly and annual forums: the first, second, third or fourth such weekday."
        ),
    )
    month_of_quarter = models.PositiveSmallIntegerField(
        _("month of the quarter"),
        default=1,
        help_text=_("Quarterly forums: the first, second or third month of each quarter."),
    )
    month_of_year = models.PositiveSmallIntegerField(
        _("month of the year"),
        default=11,
        help_text=_("Annual forums: the month (1-12) of the yearly meeting."),
    )
    on_holiday = models.CharField(
        _("on a holiday"),
        max_length=10,
        choices=OnHoliday,
        default=OnHoliday.MOVE,
        help_text=_(
            "Swedish public holidays and the eves the city takes off (Christmas Eve, New Year's "
            "Eve, Midsummer Eve): move the meeting to the next working day, at the same time, "
            "or skip it."
        ),
    )
    agenda_template = models.ForeignKey(
        AgendaTemplate,
        verbose_name=_("agenda template"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_(
            "Empty: the standard template of the forum's level (an annual forum: the annual "
            "business review's)."
        ),
    )
    starts_on = models.DateField(_("first possible date"), validators=[validate_plausible_date])
    ends_on = models.DateField(
        _("last possible date"), null=True, blank=True, validators=[validate_plausible_date]
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

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
                condition=Q(month_of_year__gte=1, month_of_year__lte=12),
                name="forum_month_of_year_1_to_12",
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
        """The local dates of this forum's meetings between first and last, inclusive: the
        rule's days, each on a holiday moved to the next working day or skipped."""
        for _rule_day, day, _holiday in self.meeting_plan(first, last):
            if day is not None:
                yield day

    def meeting_plan(self, first, last):
        """(rule day, meeting day or None when skipped, holiday name or None) of the meetings
        between first and last: a rule day just before `first` may move into the span."""
        seen = set()
        for rule_day in self.rule_dates(first - HOLIDAY_REACH, last):
            holiday = holiday_name(rule_day)
            if holiday is None:
                day = rule_day
            elif self.on_holiday == OnHoliday.MOVE:
                day = next_working_day(rule_day)
            else:
                day = None
            if not first <= (day or rule_day) <= last or (day is not None and day in seen):
                continue
            seen.add(day)
            yield rule_day, day, holiday

    def holiday_changes(self, today, days=365):
        """The coming year's rule days that fall on a holiday: (rule day, the day the meeting
        moved to or None when skipped, the holiday's name)."""
        last = today + timedelta(days=days)
        return [plan for plan in self.meeting_plan(today, last) if plan[2] is not None]

    def rule_dates(self, first, last):
        """The dates the forum's rule gives between first and last, before any holiday."""
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
            if self._meets_in(month):
                day = self._nth_weekday(year, month)
                if first <= day <= last:
                    yield day
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)

    def _meets_in(self, month):
        if self.cadence == Cadence.ANNUAL:
            return month == self.month_of_year
        return (month - 1) % 3 + 1 == self.month_of_quarter

    def _nth_weekday(self, year, month):
        first_of_month = datetime(year, month, 1).date()
        offset = (self.weekday - first_of_month.weekday()) % 7
        return first_of_month + timedelta(days=offset, weeks=self.week_of_month - 1)

    @property
    def is_key_supplier_meeting(self) -> bool:
        """The quarterly key-supplier meeting: the city's target picture heads it, it takes a
        pulse, and those with the contract-level mandate decide in it."""
        return self.cadence == Cadence.QUARTERLY

    def default_attendees(self):
        """The people holding a role at this forum's level of its contracts that have not
        ended, each once."""
        return Forum.default_attendees_of([self])[self.pk]

    @staticmethod
    def default_attendees_of(forums):
        """default_attendees() of each forum, by its pk, in one query."""
        # One filter() call: the level and the forum are those of the same forum row.
        holders = (
            RoleHolder.objects.filter(
                governance_level__contract__forums__in=forums,
                governance_level__level=models.F("governance_level__contract__forums__level"),
            )
            # An ended contract's people are told nothing more (suppliers.services: ending
            # cancels or leaves their meetings first).
            .exclude(governance_level__contract__status=ContractStatus.ENDED)
            .annotate(forum_pk=models.F("governance_level__contract__forums__pk"))
            .select_related("governance_level__contract__supplier")
            .order_by("side", "governance_level__contract__supplier__name", "name")
        )
        people = {forum.pk: {} for forum in forums}
        for holder in holders:
            people[holder.forum_pk].setdefault((holder.side, holder.email), holder)
        return {pk: list(found.values()) for pk, found in people.items()}

    def invitees(self, attendees=None):
        """Who gets the calendar invitation: the chair and the default attendees (pass them if
        already looked up), each once."""
        people = {self.chair.email.lower(): str(self.chair)}
        for holder in self.default_attendees() if attendees is None else attendees:
            people.setdefault(holder.email.lower(), holder.name)
        return people

    def agenda_items(self):
        """The standing items from the forum's template; else the annual review's for an annual
        forum, or its level's first template."""
        template = self.agenda_template
        if template is None and self.cadence == Cadence.ANNUAL:
            template = AgendaTemplate.objects.annual_review()
        elif template is None:
            template = AgendaTemplate.objects.standard_for(self.level)
        return list(template.items.all())

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


def meetings_taken_part_in(user):
    """The ids of the meetings a contract of the user's supplier was on: what a supplier sees
    of a forum is the meetings it took part in, not the forum's past before it joined."""
    on = Meeting.contracts.through.objects.filter(contract__supplier_id=user.supplier_id)
    return on.values("meeting_id")


class MeetingQuerySet(VisibleToQuerySet):
    def supplier_rows(self, user):
        return self.filter(pk__in=meetings_taken_part_in(user))

    def with_minutes_state(self):
        """Annotate has_draft and has_approved, for lists that show where the minutes stand."""
        versions = Minutes.objects.filter(meeting=models.OuterRef("pk"))
        return self.annotate(
            has_draft=models.Exists(versions.filter(approved_at__isnull=True)),
            has_approved=models.Exists(versions.filter(approved_at__isnull=False)),
        )


class Meeting(models.Model):
    """One occurrence of a forum. The database, not beat, is the truth about which exist."""

    forum = models.ForeignKey(
        Forum, verbose_name=_("forum"), on_delete=models.CASCADE, related_name="meetings"
    )
    contracts = models.ManyToManyField(
        "suppliers.Contract",
        related_name="meetings",
        blank=True,
        verbose_name=_("contracts"),
        help_text=_(
            "The contracts on the meeting, whose suppliers take part in it and see it: the "
            "forum's, until the meeting starts; then kept as they were."
        ),
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    status = models.CharField(
        _("status"), max_length=10, choices=MeetingStatus, default=MeetingStatus.PLANNED
    )
    sequence = models.PositiveIntegerField(
        _("sequence"),
        default=0,
        help_text=_("Raised on every change sent to attendees (ICS SEQUENCE)."),
    )
    notified_sequence = models.PositiveIntegerField(
        _("notified sequence"),
        null=True,
        blank=True,
        help_text=_("The SEQUENCE last e-mailed to the invitees."),
    )
    reminded_at = models.DateTimeField(_("reminder sent"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the portal cancelled it (no forum rule asks for it any more)."),
    )

    objects = MeetingQuerySet.as_manager()
    # Every save: who moved or cancelled a meeting by hand (the admin), and the version that
    # tells a shared meeting page it changed. The portal's own bulk updates (reconcile,
    # cancellations, the calendar bookkeeping) touch planned meetings only and record
    # themselves in the meeting's fields (tests/security/test_bulk_history.py).
    history = HistoricalRecords()

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
        indexes = [
            # The dashboard counts each forum's meetings of the year, held or not, from this
            # index alone, not from ten years of meetings.
            models.Index(
                fields=["forum", "starts_at", "status"], name="meeting_forum_start_status"
            ),
        ]

    def __str__(self) -> str:
        # In Stockholm time, as the forum's rule and every page say it (stored in UTC).
        return f"{self.forum.name} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        adding = self._state.adding
        super().save(*args, **kwargs)
        if adding:  # a new meeting is for the forum's contracts (reconcile: take_forum_contracts)
            self.contracts.set(self.forum.contracts.all())

    def get_absolute_url(self):
        return reverse("portal:meeting_detail", args=[self.pk])

    def supplier_names(self):
        """The suppliers taking part, from the (prefetched) contracts."""
        return sorted({contract.supplier.name for contract in self.contracts.all()})

    @property
    def ics_uid(self):
        """Stable across changes, so calendars update the same event."""
        return f"meeting-{self.pk}@governance-portal"

    def current_minutes(self):
        """The draft if there is one, otherwise the latest approved version."""
        versions = sorted(self.minutes_versions.all(), key=lambda minutes: minutes.number)
        drafts = [minutes for minutes in versions if not minutes.is_approved]
        return drafts[0] if drafts else (versions[-1] if versions else None)

    def previous_meeting(self):
        return (
            Meeting.objects.filter(forum_id=self.forum_id, starts_at__lt=self.starts_at)
            .exclude(status=MeetingStatus.CANCELLED)
            .order_by("-starts_at")
            .first()
        )

    def takes_proposals(self, now=None):
        """Agenda items can be proposed for a planned meeting until its minutes start."""
        now = now or timezone.now()
        return (
            self.status == MeetingStatus.PLANNED
            and self.starts_at > now
            and not self.minutes_versions.exists()
        )

    def can_start_minutes(self, now=None):
        """Minutes can be started from 24 hours before the start (to prepare the agenda): the
        same span whatever the hour, as the page says."""
        now = now or timezone.now()
        return self.status != MeetingStatus.CANCELLED and self.starts_at - MINUTES_LEAD <= now


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting the chair")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class AgendaProposalQuerySet(VisibleToQuerySet):
    def supplier_rows(self, user):
        """A supplier's own proposals, on meetings it takes part in; another supplier's on a
        joint forum only once accepted (then they are on the agenda everyone reads)."""
        return self.filter(meeting_id__in=meetings_taken_part_in(user)).filter(
            Q(supplier_id=user.supplier_id) | Q(status=ProposalStatus.ACCEPTED)
        )


class AgendaProposal(models.Model):
    """An item someone proposes for a coming meeting's agenda (a supplier on the meeting, or
    the city's staff); the chair accepts or declines it, and an accepted one is on the agenda
    and becomes an item of the minutes."""

    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.CASCADE,
        related_name="agenda_proposals",
    )
    title = models.CharField(_("item"), max_length=200)
    description = models.TextField(
        _("what to discuss, and why"), blank=True, max_length=TEXT_MAX_LENGTH
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    supplier = models.ForeignKey(
        "suppliers.Supplier",
        verbose_name=_("supplier"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The proposer's supplier; empty when the city proposed it."),
    )
    proposed_at = models.DateTimeField(_("proposed"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ProposalStatus, default=ProposalStatus.PROPOSED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    reason = models.TextField(
        _("reason"), blank=True, max_length=TEXT_MAX_LENGTH, help_text=_("Why it was declined.")
    )
    history = HistoricalRecords()

    objects = AgendaProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("agenda proposal")
        verbose_name_plural = _("agenda proposals")
        ordering = ["meeting", "proposed_at", "pk"]

    def __str__(self):
        return self.title

    def proposer_organisation(self):
        return self.supplier.name if self.supplier_id else _("City")


class MinutesQuerySet(VisibleToQuerySet):
    def supplier_rows(self, user):  # of the meetings the supplier took part in
        return self.filter(meeting_id__in=meetings_taken_part_in(user))

    def for_page(self):
        """What the minutes page shows of each version: who approved it and whether its PDF
        exists (not the PDF's bytes)."""
        return self.select_related("approved_by", "pdf").defer("pdf__content")


class Minutes(models.Model):
    """One version of a meeting's minutes. Approved versions are locked by database triggers;
    a correction is a new version, and the old one stays as it was."""

    meeting = models.ForeignKey(
        Meeting,
        verbose_name=_("meeting"),
        on_delete=models.PROTECT,
        related_name="minutes_versions",
    )
    number = models.PositiveSmallIntegerField(_("version"), default=1)
    correction_reason = models.TextField(
        _("reason for the correction"), blank=True, max_length=TEXT_MAX_LENGTH
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    # The approver's name as it was at the approval: part of the record, kept if the account
    # is later erased (portal.erasure) or renamed.
    approved_by_name = models.CharField(
        _("approved by"), max_length=310, blank=True, editable=False
    )
    # At a contract-level forum (the key-supplier meeting): the parties whose mandate holder
    # was not present when the minutes were approved, as the forum's language named them, and
    # the reason the approver recorded for going ahead without them.
    absent_mandate = models.CharField(
        _("without a mandate holder"), max_length=1000, blank=True, editable=False
    )
    absent_mandate_reason = models.TextField(
        _("reason for approving without the mandate holders"),
        blank=True,
        max_length=TEXT_MAX_LENGTH,
    )
    # A version started, corrected or approved; the meeting page's shared rendering also knows
    # from it when the minutes changed.
    history = HistoricalRecords()

    objects = MinutesQuerySet.as_manager()

    class Meta:
        verbose_name = _("minutes")
        verbose_name_plural = _("minutes")
        ordering = ["meeting", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="one_minutes_per_version"),
            models.UniqueConstraint(
                fields=["meeting"],
                condition=Q(approved_at__isnull=True),
                name="one_draft_minutes_per_meeting",
            ),
            models.CheckConstraint(
                condition=Q(approved_at__isnull=True, approved_by__isnull=True)
                | Q(approved_at__isnull=False, approved_by__isnull=False),
                name="minutes_approved_by_someone",
            ),
        ]

    def __str__(self):
        return f"{self.meeting} v{self.number}"

    def get_absolute_url(self):
        return reverse("meetings:minutes_detail", args=[self.pk])

    @property
    def is_approved(self):
        return self.approved_at is not None

    def mandate_gaps(self) -> list["MandateGap"]:
        """At the key-supplier meeting, where those with the mandate decide who owns a solution
        and who puts resources on it: each party, the city and each supplier on the meeting,
        none of whose contract-level role holders is marked present. Elsewhere none."""
        meeting = self.meeting
        if not meeting.forum.is_key_supplier_meeting:
            return []
        present = {row.email.lower() for row in self.attendance.all() if row.present and row.email}
        contracts = list(meeting.contracts.select_related("supplier"))
        parties: dict[int | None, MandateGap] = {None: MandateGap(str(_("City")), [])}
        for contract in sorted(contracts, key=lambda contract: contract.supplier.name):
            parties.setdefault(contract.supplier_id, MandateGap(contract.supplier.name, []))
        holders = RoleHolder.objects.people_at(Level.CONTRACT, contracts).select_related(
            "governance_level__contract"
        )
        for holder in holders:
            supplier_id = (
                holder.governance_level.contract.supplier_id
                if holder.side == Side.SUPPLIER
                else None
            )
            gap = parties[supplier_id]
            gap.holders.append(holder.name)
            if holder.email.lower() in present:
                gap.present = True
        return [gap for gap in parties.values() if not gap.present]

    def present_suppliers(self):
        return sorted(
            {
                row.organisation
                for row in self.attendance.all()
                if row.present and row.side == "supplier"
            }
        )


@dataclass
class MandateGap:
    """A party at a key-supplier meeting without its contract-level mandate holder present:
    `holders` names those who hold the mandate (empty: nobody is named at that level)."""

    party: str
    holders: list[str]
    present: bool = False


class MinutesItem(models.Model):
    minutes = models.ForeignKey(
        Minutes, verbose_name=_("minutes"), on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=200)
    guidance = models.CharField(_("guidance"), max_length=300, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=ItemKind, default=ItemKind.TOPIC)
    notes = models.TextField(_("notes"), blank=True, max_length=NOTES_MAX_LENGTH)
    decisions = models.TextField(
        _("decisions"), blank=True, help_text=_("One decision a line."), max_length=NOTES_MAX_LENGTH
    )
    figures = models.JSONField(
        _("figures"),
        null=True,
        blank=True,
        help_text=_("The reported figures as they stood when the minutes were approved."),
    )
    revision = models.PositiveIntegerField(_("revision"), default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("minutes item")
        verbose_name_plural = _("minutes items")
        ordering = ["minutes", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["minutes", "position"], name="one_minutes_item_per_position"
            ),
        ]

    def __str__(self):
        return self.title

    def decision_lines(self):
        return [line.strip() for line in self.decisions.splitlines() if line.strip()]


class Attendance(models.Model):
    minutes = models.ForeignKey(
        Minutes, verbose_name=_("minutes"), on_delete=models.CASCADE, related_name="attendance"
    )
    name = models.CharField(_("name"), max_length=120)
    email = models.EmailField(_("e-mail"), blank=True)
    organisation = models.CharField(_("organisation"), max_length=200)
    side = models.CharField(_("side"), max_length=10, choices=Side)
    role_title = models.CharField(_("role"), max_length=120, blank=True)
    present = models.BooleanField(_("present"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["minutes", "side", "organisation", "name"]

    def __str__(self):
        return self.name


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class ActionQuerySet(VisibleToQuerySet):
    def supplier_rows(self, user):  # of the meetings the supplier took part in
        return self.filter(minutes__meeting_id__in=meetings_taken_part_in(user))

    def current(self):
        """Each action as the forum's latest minutes record it: earlier rows were carried
        forward (or corrected) and are history."""
        # One latest version per forum, looked up once per forum (not once per action or
        # meeting): with ten years of weekly minutes that is milliseconds instead of seconds.
        latest = Minutes.objects.filter(meeting__forum_id=models.OuterRef("pk")).order_by(
            "-meeting__starts_at", "-number"
        )
        # distinct(): PostgreSQL then looks each forum's latest minutes up once, where its plan
        # for the plain list looked them up three times.
        latest_per_forum = (
            Forum.objects.annotate(latest_minutes=models.Subquery(latest.values("pk")[:1]))
            .values("latest_minutes")
            .distinct()
        )
        return self.filter(minutes_id__in=latest_per_forum)

    def overdue(self, today=None):
        today = today or timezone.localdate()
        return self.open_now().filter(due_on__lt=today)

    def with_latest_update(self):
        """Annotate `state`: the status of the row's latest update between meetings (an
        ActionUpdate made against it), else the status the minutes record."""
        latest = ActionUpdate.objects.filter(action=models.OuterRef("pk")).order_by("-at", "-pk")
        return self.annotate(
            state=Coalesce(models.Subquery(latest.values("status")[:1]), models.F("status"))
        )

    def open_now(self):
        """The rows still open: open in the minutes and not closed by an update since (the
        latest update, if any, is not a closing one)."""
        # Written as NOT EXISTS rather than a comparison with the latest update's status:
        # PostgreSQL estimates an anti-join well and keeps the overdue list's plan, where the
        # comparison made it guess a dozen rows and loop over every forum (9x at 10x data).
        later = ActionUpdate.objects.filter(action=models.OuterRef("action")).filter(
            Q(at__gt=models.OuterRef("at"))
            | Q(at=models.OuterRef("at"), pk__gt=models.OuterRef("pk"))
        )
        closing = (
            ActionUpdate.objects.filter(action=models.OuterRef("pk"))
            .exclude(status=ActionStatus.OPEN)
            .exclude(models.Exists(later))
        )
        return self.filter(status=ActionStatus.OPEN).exclude(models.Exists(closing))


class Action(models.Model):
    """An action as these minutes record it. Open actions are carried to the next meeting's
    minutes as new rows pointing to their origin, so a locked version is never touched."""

    minutes = models.ForeignKey(
        Minutes, verbose_name=_("minutes"), on_delete=models.CASCADE, related_name="actions"
    )
    item = models.ForeignKey(
        MinutesItem,
        verbose_name=_("item"),
        on_delete=models.CASCADE,
        related_name="actions",
        null=True,
        blank=True,
    )
    origin = models.ForeignKey(
        "self",
        verbose_name=_("origin"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="carried",
    )
    description = models.TextField(_("action"), max_length=TEXT_MAX_LENGTH)
    owner_name = models.CharField(_("owner"), max_length=120)
    owner_organisation = models.CharField(_("organisation"), max_length=200)
    # The person behind owner_name when the minutes name someone the portal knows (an
    # attendee with an account): they update the action between meetings and get its
    # reminders. owner_name stays the record's snapshot.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner's account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_actions",
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ActionStatus, default=ActionStatus.OPEN
    )
    revision = models.PositiveIntegerField(_("revision"), default=0)
    history = HistoricalRecords()

    objects = ActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["minutes", "due_on", "pk"]
        indexes = [
            # Overdue and due-soon lists read the few open actions among 100,000 done ones.
            models.Index(
                fields=["due_on"],
                condition=models.Q(status=ActionStatus.OPEN),
                name="open_action_due_on",
            ),
        ]

    def __str__(self):
        return self.description[:80]

    def get_absolute_url(self):
        return reverse("meetings:action_detail", args=[self.pk])

    @property
    def first_recorded(self):
        return self.origin or self

    def is_overdue(self, today=None):
        today = today or timezone.localdate()
        return self.status == ActionStatus.OPEN and self.due_on is not None and self.due_on < today

    def may_be_updated_by(self, user):
        """Between meetings: procurement staff any action, its owner theirs, and a supplier's
        contact those their supplier owns (an owner of that supplier, or one named by the
        supplier's name). Visibility (ActionQuerySet.visible_to) is checked as well."""
        if not user.is_authenticated or not user.is_active:
            return False
        if user.can_manage or (self.owner_id is not None and self.owner_id == user.pk):
            return True
        if not user.is_supplier_contact:
            return False
        if self.owner_id is not None:
            return self.owner.supplier_id == user.supplier_id
        return self.owner_organisation.strip().lower() == user.supplier.name.strip().lower()


class ActionUpdate(models.Model):
    """What an action's owner (or procurement staff) recorded between meetings: its status
    and a comment. Made against the row the latest minutes hold (`action`), never changing a
    locked version; `origin` (the action as first recorded) gathers the whole history. The next
    minutes carry the latest status."""

    action = models.ForeignKey(
        Action, verbose_name=_("action"), on_delete=models.PROTECT, related_name="updates"
    )
    origin = models.ForeignKey(
        Action,
        verbose_name=_("first recorded"),
        on_delete=models.PROTECT,
        related_name="all_updates",
    )
    status = models.CharField(_("status"), max_length=10, choices=ActionStatus)
    comment = models.TextField(_("comment"), blank=True, max_length=TEXT_MAX_LENGTH)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    # The dashboard's shared figures know from its history when an action was closed.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("action update")
        verbose_name_plural = _("action updates")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.get_status_display()}: {self.comment[:60]}"


class MinutesComment(models.Model):
    """A remark on a version, from either side; not part of the locked record."""

    minutes = models.ForeignKey(
        Minutes, verbose_name=_("minutes"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    body = models.TextField(_("comment"), max_length=TEXT_MAX_LENGTH)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Who wrote what and when, like the record it comments on; the meeting page's shared
    # rendering also knows from it when a comment was added.
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("minutes comment")
        verbose_name_plural = _("minutes comments")
        ordering = ["created_at"]

    def __str__(self):
        return f"{self.author}: {self.body[:60]}"


class MinutesPdf(models.Model):
    """The archived PDF/A of one approved version: exactly one per version, kept in the database
    so it is written in the same transaction that finishes the job (no half-written files)."""

    minutes = models.OneToOneField(
        Minutes, verbose_name=_("minutes"), on_delete=models.PROTECT, related_name="pdf"
    )
    content = models.BinaryField(_("content"))
    sha256 = models.CharField(_("SHA-256 checksum"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # When each PDF was produced (not its bytes again); the meeting page's shared rendering
    # also knows from it when a PDF arrived.
    history = HistoricalRecords(excluded_fields=["content"])

    class Meta:
        verbose_name = _("minutes PDF")
        verbose_name_plural = _("minutes PDFs")

    def __str__(self):
        return self.filename

    @property
    def filename(self):
        meeting = self.minutes.meeting
        local = timezone.localtime(meeting.starts_at)
        return f"minutes-{slugify(meeting.forum.name)}-{local:%Y-%m-%d}-v{self.minutes.number}.pdf"
