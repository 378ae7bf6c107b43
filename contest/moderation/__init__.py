"""Moderation: reports, actions on entries, comments and users, the audit log, integrity."""
