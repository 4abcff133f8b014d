"""Every write of the matchmaking pages and API: opportunities and feedback on their matches
(opportunities.py), contact requests, conversations, blocks and abuse reports
(contact_requests.py). Notification hooks, one function per event, live in notifications.py."""
