from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView, TemplateView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

urlpatterns = [
    # The admin's "View site" link (admin.site.site_url, "/") lands here.
    path("", TemplateView.as_view(template_name="timesheets/landing.html"), name="landing"),
    path("admin/", admin.site.urls),
    re_path(r"^admin$", RedirectView.as_view(url="/admin/")),
    re_path(r"^api/schema/?$", SpectacularAPIView.as_view(), name="schema"),
    re_path(r"^api/docs/?$", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
    path("api-auth/", include("rest_framework.urls")),
    path("", include("issuer.urls")),
    path("", include("people.urls")),
    path("", include("timesheets.urls")),
    path("", include("webapp.urls")),
]
