from django.urls import path

from partners.views import people as views

app_name = "people"
urlpatterns = [
    path("people/", views.directory, name="directory"),
    path("people/export.csv", views.people_export, name="export"),
    path("people/<int:pk>/", views.person_detail, name="detail"),
    path("people/me/organisations/", views.my_organisations, name="my_organisations"),
    path(
        "people/me/join-requests/<int:pk>/withdraw/",
        views.join_request_withdraw,
        name="join_request_withdraw",
    ),
    path("account/profile/", views.profile, name="profile"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("organisations/<slug:slug>/join/", views.join, name="join"),
    path("organisations/<slug:slug>/leave/", views.membership_leave, name="leave"),
    path("organisations/<slug:slug>/members/", views.members, name="members"),
    path(
        "organisations/<slug:slug>/members/invite/",
        views.invitation_create,
        name="invitation_create",
    ),
    path(
        "organisations/<slug:slug>/members/<int:pk>/role/",
        views.membership_role_change,
        name="membership_role",
    ),
    path(
        "organisations/<slug:slug>/members/<int:pk>/remove/",
        views.membership_remove,
        name="membership_remove",
    ),
    path(
        "organisations/<slug:slug>/invitations/<int:pk>/resend/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "organisations/<slug:slug>/invitations/<int:pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "organisations/<slug:slug>/join-requests/<int:pk>/approve/",
        views.join_request_approve,
        name="join_request_approve",
    ),
    path(
        "organisations/<slug:slug>/join-requests/<int:pk>/decline/",
        views.join_request_decline,
        name="join_request_decline",
    ),
]
