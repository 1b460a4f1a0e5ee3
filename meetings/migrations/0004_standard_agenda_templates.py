"""The standing agendas of the three levels (DOMAIN.md, "The meetings"); editable in the admin."""

from django.db import migrations

TEMPLATES = {
    ("Weekly operational meeting", "operational"): [
        ("Availability against target", "Uptime per service for the week against the agreed "
         "level; incidents behind any shortfall.", "topic"),
        ("Support tickets", "Opened, closed and still open by priority; the oldest tickets.",
         "topic"),
        ("Questions to support", "What users asked; what should become a guide or a change.",
         "topic"),
        ("Open actions", "Actions from earlier meetings that are not done yet.", "open_actions"),
        ("Escalations", "What needs to go to the contract level, and what came back.",
         "escalations"),
    ],
    ("Quarterly key-supplier meeting", "contract"): [
        ("Important issues", "What matters most in the relationship this quarter.", "topic"),
        ("Experiences", "What worked and what did not, on both sides.", "topic"),
        ("Coming changes", "Changes in needs, services, organisation or technology ahead.",
         "topic"),
        ("Ownership and resources", "Who owns which solution, and who can put resources on it.",
         "topic"),
        ("Open actions", "Actions from earlier meetings that are not done yet.", "open_actions"),
        ("Escalations", "Matters escalated from the operational level.", "escalations"),
    ],
    ("Business review", "business"): [
        ("The relationship", "Is the relationship delivering what the city needs?", "topic"),
        ("Contract portfolio", "Renewals, notice deadlines, new or ended relationships.",
         "topic"),
        ("Open actions", "Actions from earlier meetings that are not done yet.", "open_actions"),
        ("Escalations", "Matters escalated from the contract level.", "escalations"),
    ],
}


def create_templates(apps, schema_editor):
    AgendaTemplate = apps.get_model("meetings", "AgendaTemplate")
    AgendaTemplateItem = apps.get_model("meetings", "AgendaTemplateItem")
    for (name, level), items in TEMPLATES.items():
        template, created = AgendaTemplate.objects.get_or_create(name=name, defaults={"level": level})
        if created:
            AgendaTemplateItem.objects.bulk_create(
                AgendaTemplateItem(
                    template=template, position=position, title=title, guidance=guidance, kind=kind
                )
                for position, (title, guidance, kind) in enumerate(items, start=1)
            )


def remove_templates(apps, schema_editor):
    apps.get_model("meetings", "AgendaTemplate").objects.filter(
        name__in=[name for name, _level in TEMPLATES], forum__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("meetings", "0003_lock_approved_minutes")]

    operations = [migrations.RunPython(create_templates, remove_templates)]
