"""A document attached to a record, and each version of its file. A new file is a new version:
the earlier ones stay, downloadable by whoever may see the document."""

from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .registry import KINDS


class DocumentType(models.TextChoices):
    CONTRACT = "contract", _("Contract")
    ANNEX = "annex", _("Annex")
    REPORT = "report", _("Report")
    OTHER = "other", _("Other")


# A supplier's contacts attach reports and other documents; the contract and its annexes are
# the city's to keep.
SUPPLIER_TYPES = (DocumentType.REPORT, DocumentType.OTHER)


class DocumentQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> "DocumentQuerySet":
        """Whoever sees the record a document is attached to sees the document (the record's
        own visible_to), except that a supplier's contact never sees one another supplier's
        contact attached (a forum or an issue may be shared by two suppliers)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if user.sees_portfolio:
            return self
        attached = Q(pk__in=[])
        for kind in KINDS.values():
            content_type = ContentType.objects.get_for_model(kind.model)
            records = kind.model._default_manager.visible_to(user).values("pk")  # type: ignore[attr-defined]
            attached |= Q(content_type=content_type, object_id__in=records)
        return self.filter(attached).filter(Q(supplier=None) | Q(supplier_id=user.supplier_id))

    def attached_to(self, record: models.Model) -> "DocumentQuerySet":
        content_type = ContentType.objects.get_for_model(type(record))
        return self.filter(content_type=content_type, object_id=record.pk)


class Document(models.Model):
    """A document attached to one record: its title and type; its file is its newest version."""

    content_type = models.ForeignKey(
        ContentType, verbose_name=_("kind of record"), on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(_("record"))
    record = GenericForeignKey("content_type", "object_id")
    record.verbose_name = _("attached to")
    title = models.CharField(_("title"), max_length=200)
    document_type = models.CharField(
        _("document type"), max_length=10, choices=DocumentType, default=DocumentType.OTHER
    )
    # The supplier whose contact attached it (none: the city's): other suppliers never see it.
    supplier = models.ForeignKey(
        "suppliers.Supplier",
        verbose_name=_("attached by supplier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("attached by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("attached at"), auto_now_add=True)
    history = HistoricalRecords()

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("documents:document", args=[self.pk])

    @property
    def current(self) -> "DocumentVersion":
        """The newest version (prefetched versions are newest first)."""
        return self.versions.all()[0]


class DocumentVersion(models.Model):
    """One file of a document, as uploaded: kept in the attachments storage under a name of
    our own, with the name it came with, its checked media type, size and SHA-256."""

    document = models.ForeignKey(
        Document, verbose_name=_("document"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    file_name = models.CharField(_("file name"), max_length=255)
    stored_as = models.CharField(_("stored as"), max_length=255, unique=True)
    media_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("document version")
        verbose_name_plural = _("document versions")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="one_number_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.number})"

    def get_absolute_url(self) -> str:
        return reverse("documents:download", args=[self.document_id, self.number])
