"""The standing agendas of the three levels (DOMAIN.md, "The meetings").

Loaded by a data migration and re-created on demand, so every level always has an agenda to
start from even if its templates were deleted; admins edit the copies in the database. The
texts are stored in English and marked for translation: minutes take them in their forum's
language (meetings.services.start_minutes); a text an admin wrote stays as written.
"""

from django.utils.translation import gettext_noop

STANDARD_TEMPLATES = {
    (gettext_noop("Weekly operational meeting"), "operational"): [
        (
            gettext_noop("Availability against target"),
            gettext_noop(
                "Uptime per service for the week against the agreed level; incidents behind any "
                "shortfall."
            ),
            "availability",
        ),
        (
            gettext_noop("Support tickets"),
            gettext_noop("Opened, closed and still open by priority; the oldest tickets."),
            "support_tickets",
        ),
        (
            gettext_noop("Questions to support"),
            gettext_noop("What users asked; what should become a guide or a change."),
            "support_questions",
        ),
        (
            gettext_noop("Open actions"),
            gettext_noop("Actions from earlier meetings that are not done yet."),
            "open_actions",
        ),
        (
            gettext_noop("Escalations"),
            gettext_noop("What needs to go to the contract level, and what came back."),
            "escalations",
        ),
    ],
    (gettext_noop("Quarterly key-supplier meeting"), "contract"): [
        (
            gettext_noop("Important issues"),
            gettext_noop("What matters most in the relationship this quarter."),
            "topic",
        ),
        (
            gettext_noop("Experiences"),
            gettext_noop("What worked and what did not, on both sides."),
            "topic",
        ),
        (
            gettext_noop("Coming changes"),
            gettext_noop("Changes in needs, services, organisation or technology ahead."),
            "topic",
        ),
        (
            gettext_noop("Ownership and resources"),
            gettext_noop("Who owns which solution, and who can put resources on it."),
            "topic",
        ),
        (
            gettext_noop("Open actions"),
            gettext_noop("Actions from earlier meetings that are not done yet."),
            "open_actions",
        ),
        (
            gettext_noop("Escalations"),
            gettext_noop("Matters escalated from the operational level."),
            "escalations",
        ),
    ],
    (gettext_noop("Business review"), "business"): [
        (
            gettext_noop("The relationship"),
            gettext_noop("Is the relationship delivering what the city needs?"),
            "topic",
        ),
        (
            gettext_noop("Contract portfolio"),
            gettext_noop("Renewals, notice deadlines, new or ended relationships."),
            "topic",
        ),
        (
            gettext_noop("Open actions"),
            gettext_noop("Actions from earlier meetings that are not done yet."),
            "open_actions",
        ),
        (
            gettext_noop("Escalations"),
            gettext_noop("Matters escalated from the contract level."),
            "escalations",
        ),
    ],
}


# The annual business-level review (a forum of the annual rhythm starts from it): the whole
# relationship once a year, where the business level decides on starting and ending it.
ANNUAL_REVIEW = gettext_noop("Annual business review")
ANNUAL_REVIEW_ITEMS = [
    (
        gettext_noop("Relationship review"),
        gettext_noop("The year in the relationship: trust, dialogue and delivery, on both sides."),
        "topic",
    ),
    (
        gettext_noop("Goals against the target picture"),
        gettext_noop("Where each goal stands against the city's target picture, and what next."),
        "topic",
    ),
    (
        gettext_noop("Contract portfolio and renewals"),
        gettext_noop("The contracts, their renewals and notice deadlines in the coming year."),
        "topic",
    ),
    (
        gettext_noop("Decisions on starting or ending relationships"),
        gettext_noop("Only the business level starts and ends a relationship: what is decided."),
        "topic",
    ),
    (
        gettext_noop("Open actions"),
        gettext_noop("Actions from earlier meetings that are not done yet."),
        "open_actions",
    ),
    (
        gettext_noop("Escalations"),
        gettext_noop("Matters escalated from the contract level."),
        "escalations",
    ),
]


def create_annual_review_template(template_model, item_model):
    """The annual review's template with its items, created unless one of that name exists."""
    template, created = template_model.objects.get_or_create(
        name=ANNUAL_REVIEW, defaults={"level": "business"}
    )
    if created:
        _add_items(item_model, template, ANNUAL_REVIEW_ITEMS)
    return template


def _add_items(item_model, template, items):
    item_model.objects.bulk_create(
        item_model(template=template, position=position, title=title, guidance=guidance, kind=kind)
        for position, (title, guidance, kind) in enumerate(items, start=1)
    )


def create_standard_template(template_model, item_model, level):
    """The level's standard template with its items, created unless one of that name exists.

    Takes the model classes so the data migration can pass its historical models.
    """
    name, items = next(
        (name, items)
        for (name, template_level), items in STANDARD_TEMPLATES.items()
        if template_level == level
    )
    template, created = template_model.objects.get_or_create(name=name, defaults={"level": level})
    if created:
        _add_items(item_model, template, items)
    return template
