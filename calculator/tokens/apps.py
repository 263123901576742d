"""App configuration: tokens keep their own app label and migrations, apart from the calculator."""

from django.apps import AppConfig


class TokensConfig(AppConfig):
    name = "calculator.tokens"
    label = "calc_tokens"
    verbose_name = "Personal access tokens"
    default_auto_field = "django.db.models.BigAutoField"
