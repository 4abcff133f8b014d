"""Every event the portal tells people about."""

from django.utils.translation import gettext_lazy as _

from notifications.events import Frequency, declare

declare("invitation.received", _("Invitation to an organisation"), mandatory=True)
declare("join_request.received", _("Someone asks to join your organisation"))
declare("join_request.answered", _("Answer to your request to join"))
declare("organisation.approved", _("Your organisation was approved"), mandatory=True)
declare("organisation.rejected", _("Your organisation was rejected"), mandatory=True)
declare("organisation.pending", _("New organisation awaiting approval"), audience="staff")
declare("matches.new", _("New matches for your opportunity"), default_frequency=Frequency.DAILY)
declare("contact_request.received", _("Contact request received"))
declare("contact_request.accepted", _("Your contact request was accepted"))
declare("contact_request.declined", _("Your contact request was declined"))
declare("contact_request.reminder", _("Reminder: unanswered contact request"))
declare("contact_request.expired", _("Contact request expired"))
declare("message.received", _("New message in a conversation"))
declare("opportunity.expiring", _("Your opportunity is about to expire"))
declare("project.news", _("News from your project"), default_frequency=Frequency.WEEKLY)
declare("participation_request.received", _("An organisation asks to join your project"))
declare("participation_request.answered", _("Answer to your request to join a project"))
declare("milestone.due", _("Milestone due in 7 days"))
declare("milestone.overdue", _("Milestone overdue"))
declare("abuse.reported", _("Abuse reported"), audience="staff")
declare("opportunity.forwarded", _("The cluster office forwarded a confidential request to you"))
declare("webhook.disabled", _("A webhook was disabled after repeated failures"), mandatory=True)
