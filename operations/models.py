"""Operational follow-up (control): the figures suppliers report per contract and period.

Service level measurements are compared with their target; support statistics count tickets
per priority and the questions asked to support. Every figure keeps its history (who changed
what, and why) through simple-history.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from governance.access import VisibleToQuerySet
from suppliers.models import Comparison, Period


def period_start(day, period):
    """The first day of the week (Monday), month or quarter that `day` falls in."""
    if period == Period.WEEK:
        return date.fromordinal(day.toordinal() - day.weekday())
    if period == Period.QUARTER:
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return date(day.year, day.month, 1)


def meets_target(service_level, value):
    """Whether a measured value meets the service level's target (at least or at most it)."""
    if service_level.comparison == Comparison.AT_MOST:
        return value <= service_level.target
    return value >= service_level.target


class Source(models.TextChoices):
    FORM = "form", _("Reported in the form")
    IMPORT = "import", _("Imported from a file")
    CORRECTION = "correction", _("Corrected by the city")
    API = "api", _("Reported through the API")


class ReportedFigure(models.Model):
    """Who reported a figure, how and when (its history says what changed and why)."""

    source = models.CharField(_("source"), max_length=12, choices=Source, default=Source.FORM)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    reported_at = models.DateTimeField(_("reported at"), auto_now=True)

    class Meta:
        abstract = True


class MeasurementQuerySet(VisibleToQuerySet):
    supplier_path = "service_level__contract__supplier"


class Measurement(ReportedFigure):
    """One service level's measured value for one period (week, month or quarter)."""

    service_level = models.ForeignKey(
        "suppliers.ServiceLevel",
        verbose_name=_("service level"),
        on_delete=models.CASCADE,
        related_name="measurements",
    )
    period_start = models.DateField(_("period"))
    value = models.DecimalField(_("measured value"), max_digits=10, decimal_places=3)
    breach_issue = models.ForeignKey(
        "escalations.Issue",
        verbose_name=_("breach issue"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="breaches",
        help_text=_("The operational issue raised when this value missed its target."),
    )
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    objects = MeasurementQuerySet.as_manager()

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["service_level", "-period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["service_level", "period_start"], name="one_measurement_per_period"
            ),
        ]
        indexes = [
            models.Index(fields=["period_start"], name="measurement_period_idx"),
            # The dashboard counts a year of figures per service level from this index alone.
            models.Index(
                fields=["service_level", "period_start", "value"], name="measurement_level_values"
            ),
        ]

    def __str__(self):
        return f"{self.service_level.name} {self.period_start}: {self.value}"

    @property
    def meets_target(self):
        return meets_target(self.service_level, self.value)


class Priority(models.TextChoices):
    P1 = "P1", _("P1 critical")
    P2 = "P2", _("P2 high")
    P3 = "P3", _("P3 normal")
    P4 = "P4", _("P4 low")


class SupportQuerySet(VisibleToQuerySet):
    supplier_path = "contract__supplier"


class TicketCount(ReportedFigure):
    """Support tickets opened and closed in one month for one contract and priority."""

    contract = models.ForeignKey(
        "suppliers.Contract",
        verbose_name=_("contract"),
        on_delete=models.CASCADE,
        related_name="ticket_counts",
    )
    period_start = models.DateField(_("month"))
    priority = models.CharField(_("priority"), max_length=2, choices=Priority)
    opened = models.PositiveIntegerField(_("opened"))
    closed = models.PositiveIntegerField(_("closed"))
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    objects = SupportQuerySet.as_manager()

    class Meta:
        verbose_name = _("ticket count")
        verbose_name_plural = _("ticket counts")
        ordering = ["contract", "-period_start", "priority"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "period_start", "priority"],
                name="one_ticket_count_per_month_and_priority",
            ),
        ]

    def __str__(self):
        return f"{self.contract.reference} {self.period_start:%Y-%m} {self.priority}"


class QuestionCount(ReportedFigure):
    """How many questions of one category users asked support in one month, per contract."""

    contract = models.ForeignKey(
        "suppliers.Contract",
        verbose_name=_("contract"),
        on_delete=models.CASCADE,
        related_name="question_counts",
    )
    period_start = models.DateField(_("month"))
    category = models.CharField(_("category"), max_length=120)
    questions = models.PositiveIntegerField(_("questions"))
    history = HistoricalRecords(history_change_reason_field=models.TextField(null=True))

    objects = SupportQuerySet.as_manager()

    class Meta:
        verbose_name = _("question count")
        verbose_name_plural = _("question counts")
        ordering = ["contract", "-period_start", "-questions"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "period_start", "category"],
                name="one_question_count_per_month_and_category",
            ),
        ]

    def __str__(self):
        return f"{self.contract.reference} {self.period_start:%Y-%m} {self.category}"


class ImportStatus(models.TextChoices):
    PREVIEW = "preview", _("Checked, waiting for confirmation")
    QUEUED = "queued", _("Waiting to be imported")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Not imported")


class FigureImportQuerySet(VisibleToQuerySet):
    supplier_path = "supplier"


class FigureImport(models.Model):
    """An uploaded CSV file of figures: checked row by row for a preview, then imported whole
    or not at all by the worker."""

    supplier = models.ForeignKey(
        "suppliers.Supplier",
        verbose_name=_("supplier"),
        on_delete=models.CASCADE,
        related_name="figure_imports",
    )
    filename = models.CharField(_("file"), max_length=200)
    content = models.TextField(_("content"))
    rows_total = models.PositiveIntegerField(_("total rows"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus, default=ImportStatus.PREVIEW
    )
    error = models.TextField(_("error"), blank=True)
    created_count = models.PositiveIntegerField(_("number created"), default=0)
    updated_count = models.PositiveIntegerField(_("number updated"), default=0)
    breach_count = models.PositiveIntegerField(_("number of breaches"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    objects = FigureImportQuerySet.as_manager()

    class Meta:
        verbose_name = _("figure import")
        verbose_name_plural = _("figure imports")
        ordering = ["-uploaded_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | Q(finished_at__isnull=False),
                name="finished_import_has_time",
            ),
        ]

    def __str__(self):
        return f"{self.filename} ({self.supplier})"
