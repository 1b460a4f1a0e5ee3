"""The open actions recorded before actions had an owner's account get one where their minutes
name a known person: an attendee of those minutes by the owner's name whose address has an
active account (as meetings.services.owner_named decides for new actions). Without it those
owners could neither update their actions between meetings nor get reminders.

Rows of approved minutes are locked by triggers (0003): the lock is set aside for these
updates only, as 0015 does. owner_name, the record's text, is not touched.
"""

from importlib import import_module

from django.db import migrations

lock = import_module("meetings.migrations.0003_lock_approved_minutes")

LOCKED_ACTIONS = "meetings_action_locked"


def _normal(name):
    return " ".join(name.split()).casefold()


def name_the_owners(apps, schema_editor):
    Action = apps.get_model("meetings", "Action")
    Attendance = apps.get_model("meetings", "Attendance")
    User = apps.get_model("governance", "User")
    actions = list(
        Action.objects.filter(status="open", owner__isnull=True).values_list(
            "pk", "minutes_id", "owner_name"
        )
    )
    if not actions:
        return
    emails = {}
    for minutes_id, name, email in Attendance.objects.filter(
        minutes_id__in={minutes_id for _pk, minutes_id, _name in actions}
    ).exclude(email="").values_list("minutes_id", "name", "email"):
        emails.setdefault((minutes_id, _normal(name)), set()).add(email.lower())
    accounts = dict(
        User.objects.filter(is_active=True, erased_at__isnull=True).values_list("email", "pk")
    )
    owners = {}
    for pk, minutes_id, name in actions:
        found = emails.get((minutes_id, _normal(name)), set())
        if len(found) == 1 and (user_id := accounts.get(next(iter(found)))):
            owners.setdefault(user_id, []).append(pk)
    if not owners:
        return
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute(f"ALTER TABLE meetings_action DISABLE TRIGGER {LOCKED_ACTIONS}")
    else:
        lock.drop_triggers(apps, schema_editor)
    for user_id, pks in owners.items():
        Action.objects.filter(pk__in=pks).update(owner_id=user_id)
    if postgres:
        schema_editor.execute(f"ALTER TABLE meetings_action ENABLE TRIGGER {LOCKED_ACTIONS}")
    else:
        lock.create_triggers(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0022_action_owner_and_updates"),
    ]

    operations = [
        migrations.RunPython(name_the_owners, migrations.RunPython.noop),
    ]
