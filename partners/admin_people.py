"""Admin for invitations and join requests (imported by partners/admin.py)."""
