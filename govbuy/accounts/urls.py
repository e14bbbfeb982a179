from django.contrib.auth import views as auth_views
from django.urls import path

from . import views, views_admin

app_name = "accounts"

urlpatterns = [
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/mfa/", views.mfa, name="mfa"),
    path("accounts/switch/", views.switch_membership, name="switch"),
    path("accounts/tokens/", views.api_tokens, name="api_tokens"),
    path("accounts/tokens/<int:pk>/revoke/", views.revoke_api_token, name="revoke_api_token"),
    path(
        "accounts/set-password/<uidb64>/<token>/",
        views.SetPasswordView.as_view(),
        name="set_password",
    ),
    path("accounts/set-password/done/", views.set_password_done, name="set_password_done"),
    # The platform administrator's pages.
    path("manage/users/", views_admin.user_list, name="admin_users"),
    path("manage/users/new/", views_admin.user_create, name="admin_user_create"),
    path("manage/users/<int:pk>/", views_admin.user_detail, name="admin_user"),
    path(
        "manage/users/<int:pk>/memberships/",
        views_admin.membership_add,
        name="admin_membership_add",
    ),
    path(
        "manage/users/<int:pk>/deactivate/",
        views_admin.user_deactivate,
        name="admin_user_deactivate",
    ),
    path(
        "manage/users/<int:pk>/reactivate/",
        views_admin.user_reactivate,
        name="admin_user_reactivate",
    ),
    path("manage/users/<int:pk>/reset-mfa/", views_admin.user_reset_mfa, name="admin_reset_mfa"),
    path(
        "manage/users/<int:pk>/password-link/",
        views_admin.user_password_link,
        name="admin_password_link",
    ),
    path(
        "manage/memberships/<int:pk>/remove/",
        views_admin.membership_remove,
        name="admin_membership_remove",
    ),
    path("manage/lockouts/", views_admin.lockout_list, name="admin_lockouts"),
    path("manage/lockouts/unlock/", views_admin.lockout_unlock, name="admin_unlock"),
    path("manage/organizations/", views_admin.organization_list, name="admin_organizations"),
    path(
        "manage/organizations/new/",
        views_admin.organization_create,
        name="admin_organization_create",
    ),
    path(
        "manage/organizations/<int:pk>/deactivate/",
        views_admin.organization_deactivate,
        name="admin_organization_deactivate",
    ),
    path(
        "manage/organizations/<int:pk>/reactivate/",
        views_admin.organization_reactivate,
        name="admin_organization_reactivate",
    ),
]
