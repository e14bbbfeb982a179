from django.urls import path

from . import views

app_name = "orgs"

urlpatterns = [
    path("orgs/", views.organization_list, name="list"),
    path("orgs/<int:pk>/", views.organization_detail, name="detail"),
    path("orgs/<int:pk>/compliance/", views.compliance_edit, name="compliance_edit"),
    path("orgs/<int:pk>/compliance/verify/", views.compliance_verify, name="compliance_verify"),
    path("orgs/credit/", views.credit_list, name="credit_list"),
    path("orgs/credit/new/", views.credit_create, name="credit_create"),
    path("orgs/credit/<int:pk>/", views.credit_detail, name="credit_detail"),
    path("orgs/credit/<int:pk>/revoke/", views.credit_revoke, name="credit_revoke"),
    path("orgs/credit/<int:pk>/objection/", views.credit_object, name="credit_object"),
    path("orgs/credit/<int:pk>/objection/keep/", views.credit_keep, name="credit_keep"),
]
