"""Partners' hooks, answered by the apps above (see spinportal/hooks.py)."""

from spinportal.hooks import Hook

# An organisation's profile changed in a way that matters for matching, or it became active:
# called with organisation_id= (matchmaking rescores it after commit).
organisation_changed = Hook("organisation_changed")

# Extra context for an organisation's page: called with organisation= and user=, each function
# returns a dict (projects adds the organisation's project participations the user may see).
organisation_page_context = Hook("organisation_page_context")
