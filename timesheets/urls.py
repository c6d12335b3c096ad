from django.urls import re_path
from rest_framework.routers import SimpleRouter

from . import me, views


class OptionalSlashRouter(SimpleRouter):
    """Every route answers with and without its trailing slash.

    The scenario's client posts to /timesheets, DRF's habit is /timesheets/, and a redirect
    would turn a POST into a GET in most clients.
    """

    def __init__(self) -> None:
        super().__init__()
        self.trailing_slash = "/?"


router = OptionalSlashRouter()
router.register("timesheets", views.TimesheetViewSet, basename="timesheet")

# /healthz is answered by timesheets.middleware.HealthCheckMiddleware, ahead of host checks.
urlpatterns = [
    re_path(r"^me/?$", me.MeView.as_view(), name="me"),
    *router.urls,
]
