"""Charts of the standing figures (operations.figures) for templates, browser and PDF alike."""

from django import template

from operations import charts

register = template.Library()


@register.filter
def availability_svg(service_level):
    """One service level of figures["availability"] as a line chart against its target."""
    return charts.availability_chart(
        service_level["values"],
        service_level["target"],
        comparison=service_level["comparison"],
        percent=service_level["percent"],
        title=f"{service_level['name']} ({service_level['contract']}): "
        f"{service_level['target_display']}",
    )


@register.filter
def availability_values(service_level):
    """The values availability_svg draws, as text to show beside the chart."""
    return charts.values_as_text(service_level["values"])


@register.filter
def tickets_svg(contract_tickets):
    """One contract of figures["support_tickets"] as opened and closed bars per month."""
    return charts.tickets_chart(
        contract_tickets["months"],
        title=f"{contract_tickets['contract']}: {contract_tickets['supplier']}",
    )
