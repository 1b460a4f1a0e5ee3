"""The expectations log and the pulse move to the relationship app: the same rows and history,
in tables renamed after their new app. relationship.0001_initial takes them over in Django's
state."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("meetings", "0009_minutes_history")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable("expectation", "relationship_expectation"),
                migrations.AlterModelTable(
                    "historicalexpectation", "relationship_historicalexpectation"
                ),
                migrations.AlterModelTable("pulseresponse", "relationship_pulseresponse"),
            ],
            state_operations=[
                migrations.DeleteModel("HistoricalExpectation"),
                migrations.DeleteModel("Expectation"),
                migrations.DeleteModel("PulseResponse"),
            ],
        ),
    ]
