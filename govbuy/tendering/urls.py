"""Running the purchase, under /procurement/ as before the split: public notices
and rounds; the purchaser's notice, corrections, opening, panel, evaluation,
award and result; the providers' opportunities, bids and quotes; the panel's
scores."""

from django.urls import path

from govbuy.tendering import views

app_name = "tendering"

urlpatterns = [
    path("notices/", views.notice_list, name="notice_list"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("rounds/<int:pk>/public/", views.round_public, name="round_public"),
    path("<int:pk>/intention/", views.intention_publish, name="intention_publish"),
    path("<int:pk>/start/", views.round_start, name="round_start"),
    path("<int:pk>/commission/", views.commission, name="commission"),
    path("rounds/", views.round_list, name="round_list"),
    path("rounds/<int:pk>/", views.round_detail, name="round_detail"),
    path("rounds/<int:pk>/correct/", views.round_correct, name="round_correct"),
    path("rounds/<int:pk>/terminate/", views.round_terminate, name="round_terminate"),
    path("rounds/<int:pk>/open/", views.round_open, name="round_open"),
    path("rounds/<int:pk>/opening/", views.opening, name="opening"),
    path("rounds/<int:pk>/opening/open/", views.opening_open, name="opening_open"),
    path(
        "rounds/<int:pk>/opening/respond/",
        views.opening_respond,
        name="opening_respond",
    ),
    path(
        "rounds/<int:pk>/opening/<int:response_pk>/reply/",
        views.opening_reply,
        name="opening_reply",
    ),
    path("rounds/<int:pk>/panel/", views.panel_appoint, name="panel_appoint"),
    path("rounds/<int:pk>/score/", views.panel_sheet, name="panel_sheet"),
    path("rounds/<int:pk>/score/declare/", views.panel_declare, name="panel_declare"),
    path("rounds/<int:pk>/bids/", views.bid_list, name="bid_list"),
    path("rounds/<int:pk>/quote-round/", views.quote_round_open, name="quote_round_open"),
    path("rounds/<int:pk>/evaluation/", views.evaluation, name="evaluation"),
    path("rounds/<int:pk>/award/", views.award_confirm, name="award_confirm"),
    path("rounds/<int:pk>/result/", views.result_publish, name="result_publish"),
    path("rounds/<int:pk>/call-offs/", views.call_offs, name="call_offs"),
    path("opportunities/", views.opportunities, name="opportunities"),
    path("my-bids/", views.my_bids, name="my_bids"),
    path("rounds/<int:pk>/bid/", views.bid_submit, name="bid_submit"),
    path("rounds/<int:pk>/quote/", views.quote_submit, name="quote_submit"),
    path("bids/<int:pk>/", views.bid_detail, name="bid_detail"),
    path("bids/<int:pk>/withdraw/", views.bid_withdraw, name="bid_withdraw"),
    path("bids/<int:pk>/review/", views.bid_review, name="bid_review"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
