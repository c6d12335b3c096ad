from django.urls import re_path

from . import views

urlpatterns = [
    re_path(r"^oauth/token/?$", views.TokenView.as_view(), name="oauth-token"),
    re_path(r"^oauth/authorize/?$", views.AuthorizationView.as_view(), name="oauth-authorize"),
    re_path(r"^oauth/revoke/?$", views.RevokeTokenView.as_view(), name="oauth-revoke"),
    re_path(r"^oauth/userinfo/?$", views.UserInfoView.as_view(), name="oauth-userinfo"),
    re_path(r"^\.well-known/jwks\.json/?$", views.jwks, name="jwks"),
    re_path(r"^\.well-known/openid-configuration/?$", views.metadata, name="openid-configuration"),
    re_path(r"^\.well-known/oauth-authorization-server/?$", views.metadata, name="oauth-metadata"),
]
