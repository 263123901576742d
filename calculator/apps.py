"""App configuration for the calculator."""

from django.apps import AppConfig


class CalculatorConfig(AppConfig):
    name = "calculator"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from calculator import checks  # noqa: F401 — registers the deployment checks
        from calculator.accounts import signals  # noqa: F401 — connects the account receivers
