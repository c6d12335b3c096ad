import django_filters

from .models import Timesheet


class TimesheetFilter(django_filters.FilterSet):
    class Meta:
        model = Timesheet
        fields = ["user_type", "user_id", "year", "week", "project", "approved"]
