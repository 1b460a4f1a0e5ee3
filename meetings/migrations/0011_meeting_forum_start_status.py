from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("meetings", "0010_move_relationship_models"),
    ]

    operations = [
        migrations.AddIndex(
            model_name='meeting',
            index=models.Index(fields=['forum', 'starts_at', 'status'], name='meeting_forum_start_status'),
        ),
    ]
