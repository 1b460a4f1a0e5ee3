"""Key-supplier minutes keep who was approved without their mandate holder, and why.

SQLite rebuilds a table to add a column, which the lock triggers on the other tables (0003)
cannot outlive: there the lock is dropped first and made again at the end (as in 0015).
"""

from importlib import import_module

from django.db import migrations, models

approvers = import_module("meetings.migrations.0015_minutes_approved_by_name")


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0020_agenda_proposals"),
    ]

    operations = [
        migrations.RunPython(approvers.unlock_sqlite, approvers.lock_sqlite),
        migrations.AddField(
            model_name="historicalminutes",
            name="absent_mandate",
            field=models.CharField(
                blank=True, editable=False, max_length=1000, verbose_name="without a mandate holder"
            ),
        ),
        migrations.AddField(
            model_name="historicalminutes",
            name="absent_mandate_reason",
            field=models.TextField(
                blank=True,
                max_length=4000,
                verbose_name="reason for approving without the mandate holders",
            ),
        ),
        migrations.AddField(
            model_name="minutes",
            name="absent_mandate",
            field=models.CharField(
                blank=True, editable=False, max_length=1000, verbose_name="without a mandate holder"
            ),
        ),
        migrations.AddField(
            model_name="minutes",
            name="absent_mandate_reason",
            field=models.TextField(
                blank=True,
                max_length=4000,
                verbose_name="reason for approving without the mandate holders",
            ),
        ),
        migrations.RunPython(approvers.lock_sqlite, approvers.unlock_sqlite),
    ]
