from django.contrib.auth import views as auth_views
from django.urls import re_path

urlpatterns = [
    # Django's own views, with a page of their own: a person need not be staff, as the
    # admin's login requires. django-axes counts failures here as at the admin's.
    re_path(
        r"^accounts/login/?$",
        auth_views.LoginView.as_view(template_name="people/login.html", redirect_authenticated_user=False),
        name="people-login",
    ),
    re_path(
        r"^accounts/logout/?$",
        auth_views.LogoutView.as_view(template_name="people/logged_out.html"),
        name="people-logout",
    ),
]
