"""The risk register: a supplier's risks (optionally of one of its contracts), scored by
likelihood and impact, owned on either side, reviewed by a date, and shared with the supplier
when the city decides so."""

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from governance.access import VisibleToQuerySet
from governance.models import TEXT_MAX_LENGTH, User

SCALE = range(1, 6)


class Likelihood(models.IntegerChoices):
    RARE = 1, _("Rare")
    UNLIKELY = 2, _("Unlikely")
    POSSIBLE = 3, _("Possible")
    LIKELY = 4, _("Likely")
    ALMOST_CERTAIN = 5, _("Almost certain")


class Impact(models.IntegerChoices):
    NEGLIGIBLE = 1, _("Negligible")
    MINOR = 2, _("Minor")
    MODERATE = 3, _("Moderate")
    MAJOR = 4, _("Major")
    SEVERE = 5, _("Severe")


def step_label(choices: type[models.IntegerChoices], value: int) -> str:
    """A step of the scale as people read it: the number and its word ("4 Likely")."""
    return f"{value} {choices(value).label}"


class RiskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MONITORING = "monitoring", _("Mitigated, monitored")
    CLOSED = "closed", _("Closed")


# A risk that is not closed still counts: mitigated ones are watched, and reviewed.
ACTIVE_STATUSES = (RiskStatus.OPEN, RiskStatus.MONITORING)


class RiskQuerySet(VisibleToQuerySet):
    """The city's people see every risk; a supplier's contacts only their own supplier's risks
    that the city shared with them."""

    def supplier_rows(self, user: User) -> "RiskQuerySet":
        return self.filter(supplier_id=user.supplier_id, shared_with_supplier=True)

    def active(self) -> "RiskQuerySet":
        return self.filter(status__in=ACTIVE_STATUSES)

    def by_score(self) -> "RiskQuerySet":
        """Highest score (likelihood x impact) first, then the highest impact, the soonest
        review."""
        return self.annotate(score_value=F("likelihood") * F("impact")).order_by(
            "-score_value", "-impact", "review_on", "pk"
        )

    def due_for_review(self, today) -> "RiskQuerySet":
        return self.active().filter(review_on__lte=today)


class Risk(models.Model):
    """A risk in the relationship with one supplier, or in one of its contracts."""

    supplier = models.ForeignKey(
        "suppliers.Supplier",
        verbose_name=_("supplier"),
        on_delete=models.PROTECT,
        related_name="risks",
    )
    contract = models.ForeignKey(
        "suppliers.Contract",
        verbose_name=_("contract"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="risks",
        help_text=_("Empty: the risk concerns the relationship with the supplier as a whole."),
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=TEXT_MAX_LENGTH)
    likelihood = models.PositiveSmallIntegerField(
        _("likelihood"),
        choices=Likelihood,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    impact = models.PositiveSmallIntegerField(
        _("impact"),
        choices=Impact,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner at the city"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_risks",
    )
    # A contact removed (or erased) leaves the risk without an owner until one is named.
    owner_contact = models.ForeignKey(
        "suppliers.Contact",
        verbose_name=_("owner at the supplier"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_risks",
    )
    mitigation = models.TextField(_("mitigation"), blank=True, max_length=TEXT_MAX_LENGTH)
    review_on = models.DateField(
        _("review date"), help_text=_("The owner is reminded by e-mail on this date.")
    )
    status = models.CharField(
        _("status"), max_length=12, choices=RiskStatus, default=RiskStatus.OPEN
    )
    shared_with_supplier = models.BooleanField(
        _("shared with the supplier"),
        default=False,
        help_text=_(
            "The supplier's contacts see the risk and comment on it. The city's own assessment "
            "stays with the city until it decides to share it."
        ),
    )
    issues = models.ManyToManyField(
        "escalations.Issue",
        verbose_name=_("issues"),
        related_name="risks",
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    history = HistoricalRecords()

    objects = RiskQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk")
        verbose_name_plural = _("risks")
        ordering = ["-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(likelihood__gte=1, likelihood__lte=5),
                name="risk_likelihood_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(impact__gte=1, impact__lte=5), name="risk_impact_1_to_5"
            ),
            # One owner: the city's member of staff or the supplier's contact.
            models.CheckConstraint(
                condition=Q(owner_user__isnull=True) | Q(owner_contact__isnull=True),
                name="risk_one_owner",
            ),
        ]
        indexes = [models.Index(fields=["status", "review_on"], name="risk_status_review")]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("risks:detail", args=[self.pk])

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def likelihood_label(self) -> str:
        return step_label(Likelihood, self.likelihood)

    @property
    def impact_label(self) -> str:
        return step_label(Impact, self.impact)

    @property
    def owner_name(self) -> str:
        if self.owner_user is not None:
            return self.owner_user.get_full_name() or self.owner_user.email
        if self.owner_contact is not None:
            return self.owner_contact.name
        return ""

    @property
    def owner_email(self) -> str:
        if self.owner_user is not None:
            return self.owner_user.email if self.owner_user.is_active else ""
        if self.owner_contact is not None:
            return self.owner_contact.email
        return ""

    @property
    def owner_organisation(self) -> str:
        if self.owner_contact is not None:
            return self.supplier.name
        return str(_("City")) if self.owner_user is not None else ""

    def is_due_for_review(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.status in ACTIVE_STATUSES and self.review_on <= today

    def clean(self) -> None:
        errors: dict[str, Any] = {}
        contract, user, contact = self.contract, self.owner_user, self.owner_contact
        if contract is not None and self.supplier_id and contract.supplier_id != self.supplier_id:
            errors["contract"] = _("The contract must be one of the supplier's.")
        if user is not None and contact is not None:
            errors["owner_contact"] = _("Name one owner: at the city or at the supplier.")
        if user is None and contact is None:
            errors["owner_user"] = _("Name an owner: at the city or at the supplier.")
        if user is not None and user.is_supplier_contact:
            errors["owner_user"] = _("The city's owner must be one of the city's staff.")
        if contact is not None and self.supplier_id:
            if contact.supplier_id != self.supplier_id:
                errors["owner_contact"] = _("The owner must be one of the supplier's contacts.")
            elif not self.shared_with_supplier:
                errors["shared_with_supplier"] = _(
                    "A risk the supplier's contact owns must be shared with the supplier."
                )
        if errors:
            raise ValidationError(errors)


class RiskComment(models.Model):
    """A comment on a risk by the city's managers or the supplier's contacts (shared risks)."""

    risk = models.ForeignKey(
        Risk, verbose_name=_("risk"), on_delete=models.CASCADE, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    body = models.TextField(_("comment"), max_length=TEXT_MAX_LENGTH)
    created_at = models.DateTimeField(_("written"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("risk comment")
        verbose_name_plural = _("risk comments")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.risk}: {self.author}"


class RiskAgendaItem(models.Model):
    """A risk proposed for a coming meeting's agenda (the meeting's agenda proposal)."""

    risk = models.ForeignKey(
        Risk, verbose_name=_("risk"), on_delete=models.CASCADE, related_name="agenda_items"
    )
    proposal = models.OneToOneField(
        "meetings.AgendaProposal",
        verbose_name=_("agenda proposal"),
        on_delete=models.CASCADE,
        related_name="risk_item",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("risk on an agenda")
        verbose_name_plural = _("risks on agendas")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.risk}: {self.proposal}"
