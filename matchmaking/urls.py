from django.urls import path

from matchmaking.views import contact_requests, opportunities

app_name = "matchmaking"
urlpatterns = [
    path("opportunities/", opportunities.opportunity_list_view, name="opportunity_list"),
    path("opportunities/new/", opportunities.opportunity_create_view, name="opportunity_create"),
    path("opportunities/for-you/", opportunities.matches_for_you_view, name="matches_for_you"),
    path(
        "opportunities/statistics/",
        opportunities.statistics_view,
        name="statistics",
    ),
    path(
        "opportunities/<uuid:public_id>/",
        opportunities.opportunity_detail_view,
        name="opportunity_detail",
    ),
    path(
        "opportunities/<uuid:public_id>/edit/",
        opportunities.opportunity_edit_view,
        name="opportunity_edit",
    ),
    path(
        "opportunities/<uuid:public_id>/publish/",
        opportunities.opportunity_status_view,
        {"status": "published"},
        name="opportunity_publish",
    ),
    path(
        "opportunities/<uuid:public_id>/close/",
        opportunities.opportunity_status_view,
        {"status": "closed"},
        name="opportunity_close",
    ),
    path(
        "opportunities/<uuid:public_id>/unpublish/",
        opportunities.opportunity_status_view,
        {"status": "draft"},
        name="opportunity_unpublish",
    ),
    path(
        "opportunities/<uuid:public_id>/matches/<slug:slug>/dismiss/",
        opportunities.match_feedback_view,
        {"action": "dismiss"},
        name="match_dismiss",
    ),
    path(
        "opportunities/<uuid:public_id>/matches/<slug:slug>/restore/",
        opportunities.match_feedback_view,
        {"action": "restore"},
        name="match_restore",
    ),
    path(
        "opportunities/<uuid:public_id>/matches/<slug:slug>/outcome/",
        opportunities.match_feedback_view,
        {"action": "outcome"},
        name="match_outcome",
    ),
    path(
        "opportunities/<uuid:public_id>/forward/",
        opportunities.opportunity_forward_view,
        name="opportunity_forward",
    ),
    path(
        "opportunities/<uuid:public_id>/forwardings/<int:pk>/reveal/",
        opportunities.forwarding_reveal_view,
        name="forwarding_reveal",
    ),
    path(
        "contact-requests/", contact_requests.contact_request_list_view, name="contact_request_list"
    ),
    path(
        "contact-requests/new/",
        contact_requests.contact_request_create_view,
        name="contact_request_create",
    ),
    path("contact-requests/blocks/", contact_requests.block_list_view, name="block_list"),
    path(
        "contact-requests/blocks/<int:pk>/delete/",
        contact_requests.block_delete_view,
        name="block_delete",
    ),
    path(
        "contact-requests/<uuid:public_id>/",
        contact_requests.contact_request_detail_view,
        name="contact_request_detail",
    ),
    path(
        "contact-requests/<uuid:public_id>/accept/",
        contact_requests.contact_request_accept_view,
        name="contact_request_accept",
    ),
    path(
        "contact-requests/<uuid:public_id>/decline/",
        contact_requests.contact_request_decline_view,
        name="contact_request_decline",
    ),
    path(
        "contact-requests/<uuid:public_id>/withdraw/",
        contact_requests.contact_request_withdraw_view,
        name="contact_request_withdraw",
    ),
    path(
        "contact-requests/<uuid:public_id>/messages/",
        contact_requests.message_create_view,
        name="message_create",
    ),
    path(
        "contact-requests/<uuid:public_id>/report/",
        contact_requests.abuse_report_view,
        name="abuse_report",
    ),
]
