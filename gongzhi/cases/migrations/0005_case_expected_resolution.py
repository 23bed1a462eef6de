# The resolution time a case is expected by (Open311 expected_datetime), set from the report.

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.db import migrations, models

SHANGHAI = ZoneInfo("Asia/Shanghai")
OPEN = ("submitted", "accepted", "dispatched", "in_progress", "escalated")


def fill(apps, schema_editor):
    """Accepted cases expect their deadline; open unaccepted ones the limit from the report
    (the category's, or the default 7 / urgent 1 working days while unclassified)."""
    from gongzhi.core.workdays import add_workdays

    Case = apps.get_model("cases", "Case")
    Case.objects.filter(resolution_due__isnull=False).update(
        expected_resolution=models.F("resolution_due"))
    waiting = (Case.objects.filter(resolution_due__isnull=True, status__in=OPEN)
               .select_related("category"))
    changed = []
    for case in waiting.iterator(chunk_size=500):
        urgent, category = case.priority == "urgent", case.category
        if category is None:
            days = 1 if urgent else 7
        else:
            days = category.urgent_resolution_workdays if urgent else category.resolution_workdays
        day = add_workdays(case.created_at.astimezone(SHANGHAI).date(), days)
        case.expected_resolution = datetime.combine(day, time(23, 59, 59), tzinfo=SHANGHAI)
        changed.append(case)
    Case.objects.bulk_update(changed, ["expected_resolution"], batch_size=500)


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0004_alter_caseevent_kind"),
        ("core", "0001_initial"),  # the workday overrides the calendar reads
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="expected_resolution",
            field=models.DateTimeField(blank=True, null=True, verbose_name="预计办结时间"),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
