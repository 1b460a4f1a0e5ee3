"""The risk register as a file (governance.exports): the page's rows and columns."""

from django.utils.translation import gettext_lazy as _

from governance.exports import Column, ExportList

from .views import filtered_risks

RISKS = ExportList(
    name="risks",
    title=_("Risks"),
    rows=filtered_risks,
    columns=(
        Column(_("Risk"), lambda risk: risk.title),
        Column(_("Score"), lambda risk: risk.score),
        Column(_("Likelihood"), lambda risk: risk.likelihood_label),
        Column(_("Impact"), lambda risk: risk.impact_label),
        # A supplier's contacts read their own supplier's risks only: the page leaves it out.
        Column(_("Supplier"), lambda risk: risk.supplier.name, city_only=True),
        Column(_("Contract"), lambda risk: risk.contract.reference if risk.contract else None),
        Column(_("Owner"), lambda risk: risk.owner_name),
        Column(_("Review date"), lambda risk: risk.review_on),
        Column(_("Status"), lambda risk: risk.get_status_display()),
        Column(_("City only"), lambda risk: not risk.shared_with_supplier, city_only=True),
    ),
)
