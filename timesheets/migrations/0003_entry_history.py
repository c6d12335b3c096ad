"""Events record what changed, before and after, instead of the entry's state after the action.

Events recorded before this migration hold only that after-state (before it, for a
deletion): a deletion keeps it as before -> nothing, an approval becomes approved
false -> true, and an update keeps its after-values with the before-values unknown (null).
"""

from django.db import migrations, models


RECORDED = ("user_type", "user_id", "year", "week", "project", "hours", "external_id")


def snapshots_to_changes(apps, schema_editor):
    TimesheetEvent = apps.get_model("timesheets", "TimesheetEvent")
    for event in TimesheetEvent.objects.all().iterator():
        if event.action == "deleted":
            event.changes = {name: [value, None] for name, value in event.entry.items() if value is not None}
        elif event.action == "approved":
            event.changes = {"approved": [False, True]}
        else:
            event.changes = {name: [None, event.entry[name]] for name in RECORDED if event.entry.get(name)}
        event.save(update_fields=["changes"])


class Migration(migrations.Migration):

    dependencies = [
        ('timesheets', '0002_timesheet_events'),
    ]

    operations = [
        migrations.AddField(
            model_name='timesheetevent',
            name='changes',
            field=models.JSONField(default=dict, help_text='{field: [before, after]} for each changed field.'),
        ),
        migrations.RunPython(snapshots_to_changes, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='timesheetevent',
            name='entry',
        ),
        migrations.AlterField(
            model_name='timesheetevent',
            name='actor',
            field=models.CharField(help_text="The token's client, or the staff user.", max_length=255),
        ),
    ]
