"""Questions (质疑) and complaints (投诉), under /procurement/ as before the split."""

from django.urls import path

from govbuy.challenges import views

app_name = "challenges"

urlpatterns = [
    path("rounds/<int:pk>/question/", views.question_file, name="question_file"),
    path("questions/<int:pk>/", views.question_detail, name="question_detail"),
    path("questions/<int:pk>/answer/", views.question_answer, name="question_answer"),
    path("questions/<int:pk>/complain/", views.complaint_file, name="complaint_file"),
    path("complaints/", views.complaint_list, name="complaint_list"),
    path("complaints/<int:pk>/", views.complaint_detail, name="complaint_detail"),
    path("complaints/<int:pk>/review/", views.complaint_review, name="complaint_review"),
    path("complaints/<int:pk>/suspend/", views.complaint_suspend, name="complaint_suspend"),
    path("complaints/<int:pk>/decide/", views.complaint_decide, name="complaint_decide"),
]
