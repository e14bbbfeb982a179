from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/mfa/", views.mfa, name="mfa"),
    path("accounts/switch/", views.switch_membership, name="switch"),
    path("accounts/tokens/", views.api_tokens, name="api_tokens"),
    path("accounts/tokens/<int:pk>/revoke/", views.revoke_api_token, name="revoke_api_token"),
    path("workbench/", views.workbench, name="workbench"),
]
