"""A test that needs a real service: skipped on a developer's machine without it, failed in CI.

CI installs every service the suite drives (bin/ensure-system-packages), so a missing one there
is a broken set-up, never a reason for a green run.
"""

from __future__ import annotations

import os

import pytest


def require(*reasons: str | None) -> None:
    """Each reason is None (the service can run here) or why it cannot."""
    for reason in reasons:
        if reason:
            if os.environ.get("CI"):
                pytest.fail(f"{reason} (CI must install it)")
            pytest.skip(reason)
