from django.urls import path, re_path

from . import views

urlpatterns = [
    path("app/", views.app, name="webapp"),  # its redirect URI, so the name reverses to it
    re_path(r"^app$", views.app),
]
