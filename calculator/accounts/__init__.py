"""Accounts: django-allauth's sign-in, passkeys and sessions, wired to the calculator's owners."""
