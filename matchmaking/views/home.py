"""The start page: the cluster in figures, its public projects and, for a member, the
organisation's best matches. It lives in the topmost app because it shows all of them."""

from django.shortcuts import render

from matchmaking.selectors import matches_for_user
from partners.models import Organisation
from projects.models import Project


def home(request):
    context = {
        "organisation_count": Organisation.objects.filter(status="active").count(),
        "project_count": Project.objects.filter(visibility="public").count(),
        "projects": Project.objects.filter(visibility="public").order_by("acronym")[:6],
    }
    if request.user.is_authenticated:
        context["matches"] = matches_for_user(user=request.user)
    return render(request, "home.html", context)
