from django.urls import path

from . import views, views_running

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

# Running the purchase (views_running): public notices and rounds; the purchaser's
# notice, corrections, opening, panel, evaluation, award and result; the providers'
# opportunities, bids and quotes; the panel's scores; questions and complaints.
urlpatterns += [
    # public
    path("notices/", views_running.notice_list, name="notice_list"),
    path("notices/<int:pk>/", views_running.notice_detail, name="notice_detail"),
    path("rounds/<int:pk>/public/", views_running.round_public, name="round_public"),
    # the project: intention, the notice that starts a round, direct commission
    path("<int:pk>/intention/", views_running.intention_publish, name="intention_publish"),
    path("<int:pk>/start/", views_running.round_start, name="round_start"),
    path("<int:pk>/commission/", views_running.commission, name="commission"),
    # rounds (purchasers, supervisors, panel, bidders)
    path("rounds/", views_running.round_list, name="round_list"),
    path("rounds/<int:pk>/", views_running.round_detail, name="round_detail"),
    path("rounds/<int:pk>/correct/", views_running.round_correct, name="round_correct"),
    path("rounds/<int:pk>/terminate/", views_running.round_terminate, name="round_terminate"),
    path("rounds/<int:pk>/open/", views_running.round_open, name="round_open"),
    path("rounds/<int:pk>/opening/", views_running.opening, name="opening"),
    path("rounds/<int:pk>/opening/open/", views_running.opening_open, name="opening_open"),
    path(
        "rounds/<int:pk>/opening/respond/",
        views_running.opening_respond,
        name="opening_respond",
    ),
    path(
        "rounds/<int:pk>/opening/<int:response_pk>/reply/",
        views_running.opening_reply,
        name="opening_reply",
    ),
    path("rounds/<int:pk>/panel/", views_running.panel_appoint, name="panel_appoint"),
    path("rounds/<int:pk>/score/", views_running.panel_sheet, name="panel_sheet"),
    path("rounds/<int:pk>/score/declare/", views_running.panel_declare, name="panel_declare"),
    path("rounds/<int:pk>/bids/", views_running.bid_list, name="bid_list"),
    path("rounds/<int:pk>/quote-round/", views_running.quote_round_open, name="quote_round_open"),
    path("rounds/<int:pk>/evaluation/", views_running.evaluation, name="evaluation"),
    path("rounds/<int:pk>/award/", views_running.award_confirm, name="award_confirm"),
    path("rounds/<int:pk>/result/", views_running.result_publish, name="result_publish"),
    path("rounds/<int:pk>/call-offs/", views_running.call_offs, name="call_offs"),
    # providers
    path("opportunities/", views_running.opportunities, name="opportunities"),
    path("my-bids/", views_running.my_bids, name="my_bids"),
    path("rounds/<int:pk>/bid/", views_running.bid_submit, name="bid_submit"),
    path("rounds/<int:pk>/quote/", views_running.quote_submit, name="quote_submit"),
    path("rounds/<int:pk>/question/", views_running.question_file, name="question_file"),
    path("bids/<int:pk>/", views_running.bid_detail, name="bid_detail"),
    path("bids/<int:pk>/withdraw/", views_running.bid_withdraw, name="bid_withdraw"),
    path("bids/<int:pk>/review/", views_running.bid_review, name="bid_review"),
    path("attachments/<int:pk>/", views_running.attachment_download, name="attachment"),
    # questions (质疑) and complaints (投诉)
    path("questions/<int:pk>/", views_running.question_detail, name="question_detail"),
    path("questions/<int:pk>/answer/", views_running.question_answer, name="question_answer"),
    path("questions/<int:pk>/complain/", views_running.complaint_file, name="complaint_file"),
    path("complaints/", views_running.complaint_list, name="complaint_list"),
    path("complaints/<int:pk>/", views_running.complaint_detail, name="complaint_detail"),
    path("complaints/<int:pk>/review/", views_running.complaint_review, name="complaint_review"),
    path("complaints/<int:pk>/suspend/", views_running.complaint_suspend, name="complaint_suspend"),
    path("complaints/<int:pk>/decide/", views_running.complaint_decide, name="complaint_decide"),
]
