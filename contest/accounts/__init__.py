"""Accounts: signing up and in, verification, roles and permissions."""
