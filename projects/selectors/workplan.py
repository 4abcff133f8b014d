"""Work plan, news and documents for the project detail page (owned by the work-plan part)."""


def project_workplan_context(*, project, user) -> dict:
    """Context for the detail page's partials: timeline, milestones, news, documents."""
    return {}
