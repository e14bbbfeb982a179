from django.urls import path

from govbuy.procurement import views

app_name = "procurement"

urlpatterns = [
    # public
    path("methods/", views.methods_page, name="methods"),
    # projects and requirements (purchasers; managers review)
    path("", views.project_list, name="project_list"),
    path("new/", views.project_create, name="project_create"),
    path("<int:pk>/", views.project_detail, name="project_detail"),
    path("<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("<int:pk>/submit/", views.project_submit, name="project_submit"),
    path("<int:pk>/review/", views.project_review, name="project_review"),
    path("<int:pk>/cancel/", views.project_cancel, name="project_cancel"),
    # the method (purchasers choose; the finance bureau decides a change of method)
    path("<int:pk>/method/", views.project_method, name="project_method"),
    path("<int:pk>/method/decide/", views.method_decide, name="method_decide"),
    # C8: the finance bureau and the competent department confirm a 公益一类 unit's capacity
    path("capacity/<int:pk>/", views.capacity_detail, name="capacity_detail"),
    # splitting flags (B4); the inbox pages (inbox/, inbox/below/) are govbuy.workbench's
    path("split-flags/", views.split_flags, name="split_flags"),
    path("split-flags/<int:pk>/clear/", views.split_flag_clear, name="split_flag_clear"),
]
