"""The supplier list, the contract list and its contracts' role holders as files
(governance.exports): the pages' rows and columns."""

from django.utils.translation import gettext_lazy as _

from governance.exports import Column, ExportList

from . import selectors


def _contracts(user, params):
    contracts, _filters = selectors.filtered_contracts(user, params)
    return contracts.with_missing_role_count()


SUPPLIERS = ExportList(
    name="suppliers",
    title=_("Suppliers"),
    # A supplier's contact sees their own supplier's page, which does not add up its contracts.
    rows=lambda user, params: selectors.suppliers_with_totals(user),
    columns=(
        Column(_("Supplier"), lambda supplier: supplier.name),
        Column(_("Organisation number"), lambda supplier: supplier.organisation_number),
        Column(_("Tier"), lambda supplier: supplier.get_tier_display()),
        Column(_("Contracts"), lambda supplier: supplier.contract_count, city_only=True),
        Column(
            _("Running value (SEK/year)"),
            lambda supplier: supplier.annual_value or 0,
            city_only=True,
        ),
    ),
)

CONTRACTS = ExportList(
    name="contracts",
    title=_("Contracts"),
    rows=_contracts,
    columns=(
        Column(_("Reference"), lambda contract: contract.reference),
        Column(_("Title"), lambda contract: contract.title),
        Column(_("Supplier"), lambda contract: contract.supplier.name),
        Column(_("Status"), lambda contract: contract.get_status_display()),
        Column(_("Notice deadline"), lambda contract: contract.notice_deadline()),
        Column(_("Roles missing"), lambda contract: contract.missing_role_count),
        Column(_("SEK/year"), lambda contract: contract.annual_value_sek),
    ),
)

ROLE_HOLDERS = ExportList(
    name="role-holders",
    title=_("Role holders"),
    rows=selectors.role_holders_of_listed_contracts,
    columns=(
        Column(_("Contract"), lambda holder: holder.governance_level.contract.reference),
        Column(_("Supplier"), lambda holder: holder.governance_level.contract.supplier.name),
        Column(_("Level"), lambda holder: holder.governance_level.get_level_display()),
        Column(_("Side"), lambda holder: holder.get_side_display()),
        Column(_("Role"), lambda holder: holder.role_title),
        Column(_("Name"), lambda holder: holder.name),
        Column(_("E-mail"), lambda holder: holder.email),
        Column(_("Phone"), lambda holder: holder.phone),
    ),
)
