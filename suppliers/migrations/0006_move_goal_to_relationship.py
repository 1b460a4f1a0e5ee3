"""Goals (the target picture) move to the relationship app: the same rows and history, in tables
renamed after their new app. relationship.0001_initial takes them over in Django's state."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("suppliers", "0005_contact_history")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable("goal", "relationship_goal"),
                migrations.AlterModelTable("historicalgoal", "relationship_historicalgoal"),
            ],
            state_operations=[
                migrations.DeleteModel("HistoricalGoal"),
                migrations.DeleteModel("Goal"),
            ],
        ),
    ]
