from django.urls import path

from . import views

app_name = "budgets"

urlpatterns = [
    # the table (purchasers file; finance bureaus and auditors read their region's)
    path("", views.line_list, name="line_list"),
    path("new/", views.line_create, name="line_create"),
    path("export.xlsx", views.export, name="export"),
    path("import/", views.import_table, name="import"),
    path("<int:pk>/", views.line_detail, name="line_detail"),
    path("<int:pk>/edit/", views.line_edit, name="line_edit"),
    path("<int:pk>/submit/", views.line_submit, name="line_submit"),
    path("<int:pk>/delete/", views.line_delete, name="line_delete"),
    path("<int:pk>/approve/", views.line_approve, name="line_approve"),
    path("<int:pk>/return/", views.line_return, name="line_return"),
    # adjustments (预算调剂)
    path("<int:pk>/adjust/", views.adjustment_create, name="adjustment_create"),
    path("adjustments/<int:pk>/", views.adjustment_detail, name="adjustment_detail"),
    path("adjustments/<int:pk>/approve/", views.adjustment_approve, name="adjustment_approve"),
    path("adjustments/<int:pk>/return/", views.adjustment_return, name="adjustment_return"),
    path("adjustments/<int:pk>/withdraw/", views.adjustment_withdraw, name="adjustment_withdraw"),
    # finance
    path("inbox/", views.inbox, name="inbox"),
]
