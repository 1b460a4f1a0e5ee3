"""The standing agendas of the three levels (DOMAIN.md, "The meetings").

Loaded by a data migration and re-created on demand, so every level always has an agenda to
start from even if its templates were deleted; admins edit the copies in the database.
"""

STANDARD_TEMPLATES = {
    ("Weekly operational meeting", "operational"): [
        (
            "Availability against target",
            "Uptime per service for the week against the agreed "
            "level; incidents behind any shortfall.",
            "availability",
        ),
        (
            "Support tickets",
            "Opened, closed and still open by priority; the oldest tickets.",
            "support_tickets",
        ),
        (
            "Questions to support",
            "What users asked; what should become a guide or a change.",
            "support_questions",
        ),
        ("Open actions", "Actions from earlier meetings that are not done yet.", "open_actions"),
        (
            "Escalations",
            "What needs to go to the contract level, and what came back.",
            "escalations",
        ),
    ],
    ("Quarterly key-supplier meeting", "contract"): [
        ("Important issues", "What matters most in the relationship this quarter.", "topic"),
        ("Experiences", "What worked and what did not, on both sides.", "topic"),
        (
            "Coming changes",
            "Changes in needs, services, organisation or technology ahead.",
            "topic",
        ),
        (
            "Ownership and resources",
            "Who owns which solution, and who can put resources on it.",
            "topic",
        ),
        ("Open actions", "Actions from earlier meetings that are not done yet.", "open_actions"),
        ("Escalations", "Matters escalated from the operational level.", "escalations"),
    ],
    ("Business review", "business"): [
        ("The relationship", "Is the relationship delivering what the city needs?", "topic"),
        ("Contract portfolio", "Renewals, notice deadlines, new or ended relationships.", "topic"),
        ("Open actions", "Actions from earlier meetings that are not done yet.", "open_actions"),
        ("Escalations", "Matters escalated from the contract level.", "escalations"),
    ],
}


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
        item_model.objects.bulk_create(
            item_model(
                template=template, position=position, title=title, guidance=guidance, kind=kind
            )
            for position, (title, guidance, kind) in enumerate(items, start=1)
        )
    return template
