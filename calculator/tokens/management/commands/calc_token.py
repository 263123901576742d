"""`manage.py calc_token`: tokens for operators and scripts, without the account page.

`create` prints the new token alone on one line (so `TOKEN=$(manage.py calc_token create …)`
works); `revoke` takes the id the account page and the logs show.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from calculator.tokens import services
from calculator.tokens.models import SCOPES


class Command(BaseCommand):
    help = "Create or revoke a personal access token for the HTTP API."

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Create a token and print it (shown once).")
        create.add_argument("email", metavar="EMAIL")
        create.add_argument("--name", required=True)
        create.add_argument("--scope", choices=[scope for scope, _ in SCOPES], required=True)
        create.add_argument("--expires-days", type=int, default=None, metavar="N")
        revoke = actions.add_parser("revoke", help="Revoke a token by its id.")
        revoke.add_argument("token_id", type=int, metavar="ID")

    def handle(self, *args, action: str, **options) -> None:
        if action == "create":
            expires_days = options["expires_days"]
            self.create(options["email"], options["name"], options["scope"], expires_days)
        else:
            self.revoke(options["token_id"])

    def create(self, email: str, name: str, scope: str, expires_days: int | None) -> None:
        users = list(get_user_model().objects.filter(email__iexact=email.strip())[:2])
        if len(users) != 1:
            raise CommandError(
                f"no account has the email {email!r}"
                if not users
                else f"several accounts have the email {email!r}"
            )
        try:
            token, text = services.issue(users[0], name, scope, expires_days)
        except services.TokenRefused as refusal:
            raise CommandError(str(refusal)) from refusal
        self.stderr.write(f"token {token.pk} created; it is shown only now")
        self.stdout.write(text)

    def revoke(self, token_id: int) -> None:
        if not services.revoke(token_id):
            raise CommandError(f"no active token has the id {token_id}")
        self.stdout.write(f"token {token_id} revoked")
