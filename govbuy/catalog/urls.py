from django.urls import path

from . import views

app_name = "catalog"

urlpatterns = [
    # public
    path("", views.browser, name="browser"),
    path("<int:catalog_pk>/items/<str:code>/", views.item_detail, name="item"),
    path("<int:pk>/export.xlsx", views.catalog_export, name="export"),
    path("negative-list/", views.negative_list, name="negative_list"),
    path("screen/", views.screen, name="screen"),
    # department catalogs (purchasers; finance approves)
    path("department/", views.department_list, name="department_list"),
    path("department/<int:pk>/", views.department_detail, name="department_detail"),
    path("department/<int:pk>/items/", views.department_add_item, name="department_add_item"),
    path(
        "department/<int:pk>/items/<int:item_pk>/remove/",
        views.department_remove_item,
        name="department_remove_item",
    ),
    path("department/<int:pk>/export.xlsx", views.department_export, name="department_export"),
    path("department/<int:pk>/import/", views.department_import, name="department_import"),
    path("department/<int:pk>/submit/", views.department_submit, name="department_submit"),
    path("department/<int:pk>/decide/", views.department_decide, name="department_decide"),
    # adjustments
    path("adjustments/", views.adjustment_list, name="adjustment_list"),
    path("adjustments/new/", views.adjustment_new, name="adjustment_new"),
    path("adjustments/<int:pk>/", views.adjustment_detail, name="adjustment_detail"),
    path(
        "adjustments/<int:pk>/expert-review/",
        views.adjustment_expert_review,
        name="adjustment_expert_review",
    ),
    path("adjustments/<int:pk>/withdraw/", views.adjustment_withdraw, name="adjustment_withdraw"),
    path("adjustments/<int:pk>/decide/", views.adjustment_decide, name="adjustment_decide"),
    # finance
    path("inbox/", views.inbox, name="inbox"),
    path("manage/", views.manage_list, name="manage_list"),
    path("manage/<int:pk>/", views.manage_detail, name="manage_detail"),
    path("manage/<int:pk>/edit/", views.manage_edit, name="manage_edit"),
    path("manage/<int:pk>/import/", views.manage_import, name="manage_import"),
    path("manage/<int:pk>/publish/", views.manage_publish, name="manage_publish"),
    path("negative-list/manage/", views.negative_manage, name="negative_manage"),
    path("negative-list/manage/<int:pk>/", views.negative_edit, name="negative_edit"),
    path("negative-list/manage/<int:pk>/toggle/", views.negative_toggle, name="negative_toggle"),
]
