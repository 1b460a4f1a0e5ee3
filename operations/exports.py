"""The reported figures list as a file (governance.exports): each service level's latest value,
as the page shows it, with its filters."""

from django.utils.translation import gettext_lazy as _

from governance.exports import Column, ExportList

from .views import figure_rows


def _value(row):
    measurement = row["measurement"]
    return measurement.value.normalize() if measurement else None


def _result(row):
    if row["met"] is None:
        return _("Not reported")
    return _("Met") if row["met"] else _("Missed")


FIGURES = ExportList(
    name="figures",
    title=_("Reported figures"),
    rows=lambda user, params: figure_rows(user, params)[0],
    columns=(
        Column(_("Supplier"), lambda row: row["service_level"].contract.supplier.name),
        Column(_("Contract"), lambda row: row["service_level"].contract.reference),
        Column(_("Service level"), lambda row: row["service_level"].name),
        Column(_("Target"), lambda row: row["service_level"].target_display),
        Column(_("Latest period"), lambda row: row["label"]),
        Column(_("Value"), _value),
        Column(_("Unit"), lambda row: row["service_level"].get_unit_display()),
        Column(_("Result"), _result),
    ),
)
