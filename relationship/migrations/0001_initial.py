"""The relationship app takes over goals (from suppliers), the expectations log and the pulse
(from meetings) in Django's state: their tables, renamed by those apps' migrations before this
one, keep every row and its history. The content types move too, so admin log entries and
permissions stay attached."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


MOVED = {
    "goal": "suppliers",
    "historicalgoal": "suppliers",
    "expectation": "meetings",
    "historicalexpectation": "meetings",
    "pulseresponse": "meetings",
}


def move_content_types(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType")
    for model, app_label in MOVED.items():
        content_types.objects.filter(app_label=app_label, model=model).update(
            app_label="relationship"
        )


def move_content_types_back(apps, schema_editor):
    content_types = apps.get_model("contenttypes", "ContentType")
    for model, app_label in MOVED.items():
        content_types.objects.filter(app_label="relationship", model=model).update(
            app_label=app_label
        )


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('meetings', '0010_move_relationship_models'),
        ('suppliers', '0006_move_goal_to_relationship'),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Expectation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('agreed_on', models.DateField(verbose_name='agreed on')),
                        ('requirement', models.CharField(help_text='What it was about: the requirement, service level or expectation.', max_length=300, verbose_name='requirement or expectation')),
                        ('calibration', models.TextField(verbose_name='what we agreed')),
                        ('contract', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='expectations', to='suppliers.contract')),
                        ('meeting', models.ForeignKey(blank=True, help_text='The meeting where it was agreed.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='expectations', to='meetings.meeting')),
                        ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'expectation',
                        'verbose_name_plural': 'expectations log',
                        'ordering': ['-agreed_on', '-pk'],
                    },
                ),
                migrations.CreateModel(
                    name='Goal',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('title', models.CharField(max_length=200, verbose_name='goal')),
                        ('description', models.TextField(blank=True, verbose_name='what it looks like when we are there')),
                        ('target_date', models.DateField(blank=True, null=True, verbose_name='by')),
                        ('status', models.CharField(choices=[('pursuing', 'Pursuing'), ('achieved', 'Achieved'), ('dropped', 'Dropped')], default='pursuing', max_length=10, verbose_name='status')),
                        ('contract', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='goals', to='suppliers.contract')),
                    ],
                    options={
                        'verbose_name': 'goal',
                        'verbose_name_plural': 'goals',
                        'ordering': ['target_date', 'pk'],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalExpectation',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('agreed_on', models.DateField(verbose_name='agreed on')),
                        ('requirement', models.CharField(help_text='What it was about: the requirement, service level or expectation.', max_length=300, verbose_name='requirement or expectation')),
                        ('calibration', models.TextField(verbose_name='what we agreed')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('contract', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='suppliers.contract')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('meeting', models.ForeignKey(blank=True, db_constraint=False, help_text='The meeting where it was agreed.', null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='meetings.meeting')),
                        ('recorded_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'historical expectation',
                        'verbose_name_plural': 'historical expectations log',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='HistoricalGoal',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('title', models.CharField(max_length=200, verbose_name='goal')),
                        ('description', models.TextField(blank=True, verbose_name='what it looks like when we are there')),
                        ('target_date', models.DateField(blank=True, null=True, verbose_name='by')),
                        ('status', models.CharField(choices=[('pursuing', 'Pursuing'), ('achieved', 'Achieved'), ('dropped', 'Dropped')], default='pursuing', max_length=10, verbose_name='status')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('contract', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='suppliers.contract')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': 'historical goal',
                        'verbose_name_plural': 'historical goals',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='PulseResponse',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('side', models.CharField(choices=[('buyer', 'City'), ('supplier', 'Supplier')], max_length=10, verbose_name='side')),
                        ('trust', models.PositiveSmallIntegerField(choices=[(1, '1'), (2, '2'), (3, '3'), (4, '4'), (5, '5')], verbose_name='trust')),
                        ('dialogue', models.PositiveSmallIntegerField(choices=[(1, '1'), (2, '2'), (3, '3'), (4, '4'), (5, '5')], verbose_name='dialogue')),
                        ('delivery', models.PositiveSmallIntegerField(choices=[(1, '1'), (2, '2'), (3, '3'), (4, '4'), (5, '5')], verbose_name='delivery')),
                        ('comment', models.TextField(blank=True, verbose_name='comment')),
                        ('answered_at', models.DateTimeField(auto_now=True)),
                        ('meeting', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='pulse_responses', to='meetings.meeting')),
                        ('respondent', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='pulse_responses', to=settings.AUTH_USER_MODEL)),
                        ('supplier', models.ForeignKey(blank=True, help_text="The respondent's supplier; empty for the city's people.", null=True, on_delete=django.db.models.deletion.CASCADE, related_name='pulse_responses', to='suppliers.supplier')),
                    ],
                    options={
                        'verbose_name': 'pulse response',
                        'verbose_name_plural': 'pulse responses',
                        'ordering': ['meeting', 'side', 'answered_at'],
                        'constraints': [models.UniqueConstraint(fields=('meeting', 'respondent'), name='one_pulse_response_per_person'), models.CheckConstraint(condition=models.Q(('trust__gte', 1), ('trust__lte', 5)), name='pulse_trust_1_to_5'), models.CheckConstraint(condition=models.Q(('dialogue__gte', 1), ('dialogue__lte', 5)), name='pulse_dialogue_1_to_5'), models.CheckConstraint(condition=models.Q(('delivery__gte', 1), ('delivery__lte', 5)), name='pulse_delivery_1_to_5')],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
