"""The HTTP JSON API (django-ninja): one more thin adapter over calculator/services.py."""
