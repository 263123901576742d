"""`manage.py calc`: the calculator on the command line, one session for all its lines.

Nothing is stored: the CLI is one more adapter over services (a tab that is never stored), and
shares no browser session's transcript.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand

from calculator import services
from calculator.engine import Session


class Command(BaseCommand):
    help = (
        "Evaluate expressions in one session (ans and variables carry over) and print one line "
        "each: the result, or 'error: <message>'. With no arguments, reads lines from stdin. "
        "Exits 1 if any line failed."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("expressions", nargs="*", metavar="EXPR")

    def handle(self, *args, expressions: list[str], **options) -> None:
        lines = expressions or (line.rstrip("\n") for line in sys.stdin)
        tab = services.Tab(owner="", session=Session())
        failed = False
        for line in lines:
            if not line.strip():
                continue
            row = services.run_line(tab, line)
            if row.ok:
                self.stdout.write(row.display)
            else:
                failed = True
                self.stdout.write(f"error: {row.error}")
        if failed:
            sys.exit(1)
