"""The approver's name kept on approved minutes (the record keeps it if the account is erased).

Approved minutes are locked by triggers (0003): the names of the existing approvals are written
in with the lock set aside for that one statement. SQLite rebuilds a table to add a column,
which its triggers on the other tables cannot outlive: there the lock is dropped first and made
again at the end.
"""

from importlib import import_module

from django.db import migrations, models

lock = import_module("meetings.migrations.0003_lock_approved_minutes")

POSTGRES_BACKFILL = """
UPDATE meetings_minutes SET approved_by_name = COALESCE(
    NULLIF(TRIM(u.first_name || ' ' || u.last_name), ''), u.email)
FROM governance_user u WHERE u.id = meetings_minutes.approved_by_id
"""
SQLITE_BACKFILL = """
UPDATE meetings_minutes SET approved_by_name = (
    SELECT COALESCE(NULLIF(TRIM(u.first_name || ' ' || u.last_name), ''), u.email)
    FROM governance_user u WHERE u.id = meetings_minutes.approved_by_id)
WHERE approved_by_id IS NOT NULL
"""


def unlock_sqlite(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        lock.drop_triggers(apps, schema_editor)


def lock_sqlite(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        lock.create_triggers(apps, schema_editor)


def name_the_approvers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE meetings_minutes DISABLE TRIGGER meetings_minutes_locked")
        schema_editor.execute(POSTGRES_BACKFILL)
        schema_editor.execute("ALTER TABLE meetings_minutes ENABLE TRIGGER meetings_minutes_locked")
    else:
        schema_editor.execute(SQLITE_BACKFILL)
        lock.create_triggers(apps, schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ("meetings", "0014_text_limits"),
        ("governance", "0009_user_erased_at"),
    ]

    operations = [
        migrations.RunPython(unlock_sqlite, lock_sqlite),
        migrations.AddField(
            model_name="historicalminutes",
            name="approved_by_name",
            field=models.CharField(
                blank=True, editable=False, max_length=310, verbose_name="approved by"
            ),
        ),
        migrations.AddField(
            model_name="minutes",
            name="approved_by_name",
            field=models.CharField(
                blank=True, editable=False, max_length=310, verbose_name="approved by"
            ),
        ),
        migrations.RunPython(name_the_approvers, unlock_sqlite),
    ]
