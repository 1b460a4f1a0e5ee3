import hashlib
from datetime import date, timedelta
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from governance.access import VisibleToQuerySet
from governance.models import (
    LEVEL_ORDER,
    NOTES_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    Level,
    RoleHolder,
    RoleHolderQuerySet,
    Side,
)

from .validators import (
    validate_at_most_ten_years,
    validate_organisation_number,
    validate_plausible_date,
)


class SupplierQuerySet(VisibleToQuerySet):
    supplier_path = "pk"


class Tier(models.TextChoices):
    KEY = "key", _("Key supplier")
    STANDARD = "standard", _("Standard supplier")


class Supplier(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    organisation_number = models.CharField(
        _("organisation number"),
        max_length=11,
        unique=True,
        validators=[validate_organisation_number],
        help_text=_("Swedish organisation number, NNNNNN-NNNN."),
    )
    tier = models.CharField(_("tier"), max_length=20, choices=Tier, default=Tier.STANDARD)
    description = models.TextField(_("what they deliver"), blank=True, max_length=TEXT_MAX_LENGTH)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = SupplierQuerySet.as_manager()

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("portal:supplier_detail", args=[self.pk])

    @property
    def is_key_supplier(self):
        return self.tier == Tier.KEY


class Contact(models.Model):
    """A person at the supplier; has an account once an invitation to them is accepted."""

    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=120)
    title = models.CharField(_("title"), max_length=120, blank=True)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="supplier_contact",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["supplier", "email"], name="one_contact_per_email"),
        ]

    def __str__(self):
        return self.name


def add_months(day: date, months: int) -> date:
    """`day` moved by `months` (back when negative). The last day of a month moves to the last
    day of the target month, so a term from 31 August does not drift to the 28th after February."""
    moved = day + relativedelta(months=months)
    if (day + timedelta(days=1)).day == 1:
        moved += relativedelta(day=31)
    return moved


class ContractStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    TERMINATING = "terminating", _("Terminating")
    ENDED = "ended", _("Ended")


# A running contract is in force: active, or terminating until its notice runs out.
RUNNING_STATUSES = (ContractStatus.ACTIVE, ContractStatus.TERMINATING)

# Which status may follow which; activation has its own rule (see Contract.missing_roles).
# Giving notice and ending are the business level's: they record who decided and why.
DECIDED_STATUSES = (ContractStatus.TERMINATING, ContractStatus.ENDED)
STATUS_TRANSITIONS = {
    ContractStatus.DRAFT: [ContractStatus.ACTIVE],
    ContractStatus.ACTIVE: [ContractStatus.TERMINATING],
    ContractStatus.TERMINATING: [ContractStatus.ACTIVE, ContractStatus.ENDED],
    ContractStatus.ENDED: [],
}


class Renewal(models.TextChoices):
    TACIT = "tacit", _("Tacit: renews unless notice is given")
    EXPRESS = "express", _("Express: ends unless renewed in writing")


class ContractQuerySet(VisibleToQuerySet):
    def running(self) -> "ContractQuerySet":
        return self.filter(status__in=RUNNING_STATUSES)

    def not_ended(self) -> "ContractQuerySet":
        """Drafts and running contracts: those issues and forums can still be about."""
        return self.exclude(status=ContractStatus.ENDED)

    def with_supplier(self) -> "ContractQuerySet":
        return self.select_related("supplier")

    def with_missing_role_count(self) -> "ContractQuerySet":
        """Annotate missing_role_count: the (level, side) pairs with nobody named, counted in
        the database, for lists that show only how many (missing_roles() names them)."""
        filled = models.Count(
            Concat("governance_levels__level", "governance_levels__role_holders__side"),
            distinct=True,
            filter=Q(governance_levels__role_holders__isnull=False),
        )
        return self.annotate(missing_role_count=len(LEVEL_ORDER) * len(Side) - filled)


class Contract(models.Model):
    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="contracts"
    )
    reference = models.CharField(_("reference"), max_length=40, unique=True)
    title = models.CharField(_("title"), max_length=200)
    scope = models.TextField(
        _("scope"), help_text=_("What the contract covers."), max_length=NOTES_MAX_LENGTH
    )
    purchased = models.TextField(
        _("what was bought"),
        blank=True,
        help_text=_("The services and deliveries bought, in the words of the procurement."),
        max_length=NOTES_MAX_LENGTH,
    )
    start_date = models.DateField(_("start date"), validators=[validate_plausible_date])
    end_date = models.DateField(
        _("end date"),
        null=True,
        blank=True,
        help_text=_("Empty for an open-ended contract."),
        validators=[validate_plausible_date],
    )
    notice_period_months = models.PositiveSmallIntegerField(
        _("notice period (months)"), default=6, validators=[validate_at_most_ten_years]
    )
    renewal = models.CharField(
        _("renewal"), max_length=10, choices=Renewal, default=Renewal.EXPRESS
    )
    renewal_term_months = models.PositiveSmallIntegerField(
        _("renewal term (months)"),
        null=True,
        blank=True,
        help_text=_("For tacit renewal: how long each renewal runs."),
        validators=[MinValueValidator(1), validate_at_most_ten_years],
    )
    annual_value_sek = models.DecimalField(
        _("annual value (SEK)"), max_digits=15, decimal_places=0, default=0
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ContractStatus, default=ContractStatus.DRAFT
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    objects = ContractQuerySet.as_manager()

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["reference"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="contract_ends_after_it_starts",
            ),
            models.CheckConstraint(
                condition=Q(annual_value_sek__gte=0), name="contract_value_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("portal:contract_detail", args=[self.pk])

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING_STATUSES

    def current_term_end(self, today: date | None = None) -> date | None:
        """The end of the running term: a tacitly renewed contract rolls on past its end date."""
        if self.end_date is None:
            return None
        today = today or timezone.localdate()
        end = self.end_date
        if self.renewal == Renewal.TACIT and self.renewal_term_months:
            # Counted from the end date each time, so that no term's shortening carries over.
            terms = 0
            while end < today:
                terms += 1
                end = add_months(self.end_date, terms * self.renewal_term_months)
        return end

    def notice_deadline(self, today: date | None = None) -> date | None:
        """The last day to give notice (tacit) or to decide on renewal (express)."""
        end = self.current_term_end(today)
        if end is None:
            return None
        return add_months(end, -self.notice_period_months)

    def days_to_notice_deadline(self, today: date | None = None) -> int | None:
        today = today or timezone.localdate()
        deadline = self.notice_deadline(today)
        return None if deadline is None else (deadline - today).days

    def missing_roles(self) -> list[tuple[Level, Side]]:
        """The (level, side) pairs that have nobody named yet, in level order.

        Works from prefetched governance_levels__role_holders when they are there.
        """
        levels = {level.level: level for level in self.governance_levels.all()}
        missing = []
        for level in LEVEL_ORDER:
            governance_level = levels.get(level)
            sides = (
                {holder.side for holder in governance_level.role_holders.all()}
                if governance_level
                else set()
            )
            for side in Side:
                if side not in sides:
                    missing.append((level, side))
        return missing

    def allowed_transitions(self) -> list[ContractStatus]:
        return STATUS_TRANSITIONS[ContractStatus(self.status)]

    def business_deciders(self) -> RoleHolderQuerySet:
        """Who may decide to give notice on the contract or end it: the business level's role
        holders on the city's side (the level that starts and ends the relationship)."""
        return RoleHolder.objects.people_at(Level.BUSINESS, [self]).filter(side=Side.BUYER)


class OutcomeCommitment(models.Model):
    """A result the supplier commits to: what the city wants achieved, not how."""

    contract = models.ForeignKey(
        Contract, verbose_name=_("contract"), on_delete=models.CASCADE, related_name="commitments"
    )
    title = models.CharField(_("outcome"), max_length=200)
    description = models.TextField(
        _("what it means for the city"), blank=True, max_length=TEXT_MAX_LENGTH
    )
    measured_by = models.CharField(_("how we know it is achieved"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("outcome commitment")
        verbose_name_plural = _("outcome commitments")
        ordering = ["pk"]

    def __str__(self):
        return self.title


class Metric(models.TextChoices):
    AVAILABILITY = "availability", _("Availability")
    RESPONSE_TIME = "response_time", _("Response time")
    RESOLUTION_TIME = "resolution_time", _("Resolution time")
    OTHER = "other", _("Other")


class Unit(models.TextChoices):
    PERCENT = "percent", "%"
    MINUTES = "minutes", pgettext_lazy("unit of time", "minutes")
    HOURS = "hours", _("hours")
    COUNT = "count", _("count")


class Comparison(models.TextChoices):
    AT_LEAST = "at_least", _("at least")
    AT_MOST = "at_most", _("at most")


class Period(models.TextChoices):
    WEEK = "week", _("per week")
    MONTH = "month", _("per month")
    QUARTER = "quarter", _("per quarter")


class ServiceLevel(models.Model):
    """A measurable service level: metric, target and the period it is measured over."""

    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        on_delete=models.CASCADE,
        related_name="service_levels",
    )
    name = models.CharField(_("service"), max_length=200)
    metric = models.CharField(_("metric"), max_length=20, choices=Metric)
    comparison = models.CharField(
        _("comparison"), max_length=10, choices=Comparison, default=Comparison.AT_LEAST
    )
    target = models.DecimalField(_("target"), max_digits=10, decimal_places=3)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit)
    period = models.CharField(_("period"), max_length=10, choices=Period, default=Period.MONTH)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service level")
        verbose_name_plural = _("service levels")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(unit="percent") | Q(target__gte=0, target__lte=100),
                name="percent_target_within_0_100",
            ),
        ]

    def __str__(self):
        return f"{self.name}: {self.target_display}"

    @property
    def target_display(self):
        # In the reader's number format ("99,7 %" in Swedish, "99.7 %" in English), the unit
        # after a no-break space as the dashboard writes percentages.
        target = number_format(Decimal(f"{self.target.normalize():f}"), use_l10n=True)
        unit = self.get_unit_display()
        return f"{self.get_comparison_display()} {target}\u00a0{unit} {self.get_period_display()}"


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(VisibleToQuerySet):
    def pending(self, now=None):
        now = now or timezone.now()
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now)


class Invitation(models.Model):
    """A single-use, expiring invitation for a supplier contact; only the token's hash is kept."""

    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail"))
    name = models.CharField(_("name"), max_length=120)
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Who revoked it, or who sent the invitation that replaced it."),
    )

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} ({self.supplier})"

    @staticmethod
    def default_expiry(now=None):
        return (now or timezone.now()) + timedelta(hours=settings.INVITATION_VALID_HOURS)

    @property
    def status(self):
        if self.accepted_at:
            return _("accepted")
        if self.revoked_at:
            return _("revoked")
        if self.expires_at <= timezone.now():
            return _("expired")
        return _("pending")

    @property
    def is_usable(self):
        return not self.accepted_at and not self.revoked_at and self.expires_at > timezone.now()


class StatusDecision(models.Model):
    """The business level's decision behind giving notice on a contract or ending it: which
    role holder on the city's side decided, and why. The holder's name is kept as it was, so
    the record stays whole when the person leaves (and the link to them is cleared)."""

    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        on_delete=models.CASCADE,
        related_name="status_decisions",
    )
    status = models.CharField(_("status"), max_length=12, choices=ContractStatus)
    decided_by = models.ForeignKey(
        "governance.RoleHolder",
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_by_name = models.CharField(_("decided by"), max_length=120)
    reason = models.TextField(_("reason"), max_length=TEXT_MAX_LENGTH)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("status decision")
        verbose_name_plural = _("status decisions")
        ordering = ["-recorded_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.contract.reference}: {self.get_status_display()} ({self.decided_by_name})"


class NoticeChoice(models.TextChoices):
    RENEW = "renew", _("Renew")
    LET_RUN = "let_run", _("Let it run")
    TERMINATE = "terminate", _("Terminate")


class NoticeDecision(models.Model):
    """What the city decided before a term's notice deadline; once recorded, the notice alerts
    for that term stop. Terminate goes on to giving notice (a StatusDecision)."""

    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        on_delete=models.CASCADE,
        related_name="notice_decisions",
    )
    term_end = models.DateField(_("term ends"))
    decision = models.CharField(_("decision"), max_length=10, choices=NoticeChoice)
    note = models.TextField(_("note"), blank=True, max_length=TEXT_MAX_LENGTH)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_by_name = models.CharField(_("recorded by"), max_length=310)
    at = models.DateTimeField(_("recorded at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("notice decision")
        verbose_name_plural = _("notice decisions")
        ordering = ["-at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "term_end"], name="one_notice_decision_per_term"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contract.reference} {self.term_end}: {self.get_decision_display()}"


class NoticeSnooze(models.Model):
    """The notice alerts of a term held back until a day someone chose (at most the next
    alert's day); on that day the alert comes again."""

    contract = models.ForeignKey(
        Contract,
        verbose_name=_("contract"),
        on_delete=models.CASCADE,
        related_name="notice_snoozes",
    )
    term_end = models.DateField(_("term ends"))
    until = models.DateField(_("snoozed until"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("snoozed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("snoozed at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("notice alert snooze")
        verbose_name_plural = _("notice alert snoozes")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.contract.reference} {self.term_end}: {self.until}"
