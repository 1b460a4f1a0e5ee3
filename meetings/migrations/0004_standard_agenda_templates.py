"""The standing agendas of the three levels (DOMAIN.md, "The meetings"); editable in the admin."""

from django.db import migrations

from meetings.agenda import STANDARD_TEMPLATES, create_standard_template


def create_templates(apps, schema_editor):
    AgendaTemplate = apps.get_model("meetings", "AgendaTemplate")
    AgendaTemplateItem = apps.get_model("meetings", "AgendaTemplateItem")
    for _name, level in STANDARD_TEMPLATES:
        create_standard_template(AgendaTemplate, AgendaTemplateItem, level)


def remove_templates(apps, schema_editor):
    apps.get_model("meetings", "AgendaTemplate").objects.filter(
        name__in=[name for name, _level in STANDARD_TEMPLATES], forum__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("meetings", "0003_lock_approved_minutes")]

    operations = [migrations.RunPython(create_templates, remove_templates)]
