"""The kinds of record a document can be attached to. An app registers its own kind (the
floors below are registered in documents.kinds, the risk register registers itself), so
documents never imports the apps above it."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models


@dataclass(frozen=True)
class AttachableKind:
    key: str  # in the URL: /documents/<key>/<id>/
    model: type[models.Model]  # its manager has visible_to(user), the record's own rule
    # Whether the supplier's contacts who see a record of this kind may attach to it.
    supplier_uploads: bool = True
    # The page that shows the record's documents; its get_absolute_url() when not given.
    page_url: Callable[[Any], str] | None = None

    def url_of(self, record: Any) -> str:
        return self.page_url(record) if self.page_url else record.get_absolute_url()


KINDS: dict[str, AttachableKind] = {}


def register(
    key: str,
    model: type[models.Model],
    *,
    supplier_uploads: bool = True,
    page_url: Callable[[Any], str] | None = None,
) -> None:
    """Make records of `model` take attachments, under /documents/`key`/<id>/."""
    KINDS[key] = AttachableKind(key, model, supplier_uploads, page_url)


def kind_of_model(model: type[models.Model]) -> AttachableKind | None:
    return next((kind for kind in KINDS.values() if kind.model is model), None)
