"""The issue list as a file (governance.exports): the page's rows and columns."""

from django.utils.translation import gettext_lazy as _

from governance.exports import Column, ExportList

from .views import filtered_issues


def _suppliers(issue):
    return ", ".join(dict.fromkeys(contract.supplier.name for contract in issue.contracts.all()))


ISSUES = ExportList(
    name="issues",
    title=_("Issues"),
    rows=lambda user, params: filtered_issues(user, params)[0],
    columns=(
        Column(_("Issue"), lambda issue: issue.title),
        Column(_("Status"), lambda issue: issue.get_status_display()),
        Column(_("Late (flagged)"), lambda issue: issue.is_flagged),
        Column(_("Level"), lambda issue: issue.get_level_display()),
        Column(_("Severity"), lambda issue: issue.get_severity_display()),
        Column(_("Suppliers"), _suppliers),
        Column(_("Owner"), lambda issue: issue.owner_name),
        Column(_("Owner's organisation"), lambda issue: issue.owner_organisation),
        Column(_("Due"), lambda issue: issue.due_on),
    ),
)
