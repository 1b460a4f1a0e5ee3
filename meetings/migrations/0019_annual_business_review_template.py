"""The annual business review's standard agenda (meetings.agenda); editable in the admin."""

from django.db import migrations

from meetings.agenda import ANNUAL_REVIEW, create_annual_review_template


def create_template(apps, schema_editor):
    create_annual_review_template(
        apps.get_model("meetings", "AgendaTemplate"),
        apps.get_model("meetings", "AgendaTemplateItem"),
    )


def remove_template(apps, schema_editor):
    apps.get_model("meetings", "AgendaTemplate").objects.filter(
        name=ANNUAL_REVIEW, forum__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("meetings", "0018_forum_holidays_and_annual_rhythm")]

    operations = [migrations.RunPython(create_template, remove_template)]
