"""Deleting an account: a page with a confirmation, working as a plain form post."""

from __future__ import annotations

import logging

from allauth.account.decorators import reauthentication_required
from allauth.usersessions.adapter import get_adapter as usersessions_adapter
from allauth.usersessions.models import UserSession
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from calculator import owners, services
from calculator.live import fanout

log = logging.getLogger(__name__)

# What the person types to confirm: deleting cannot be undone.
CONFIRMATION = "delete"


@require_http_methods(["GET", "HEAD", "POST"])
@login_required
@reauthentication_required(allow_get=True)
def delete_account(request: HttpRequest) -> HttpResponse:
    """Reading the page needs a signed-in person; deleting, one who just proved it again
    (allauth asks for the password or a passkey first). Everything of the person goes: entries,
    share links, passkeys, email addresses, tokens (by the user's foreign keys) and every
    signed-in session on every device, their sockets too."""
    refused = False
    if request.method == "POST":
        if request.POST.get("confirm", "").strip().lower() == CONFIRMATION:
            delete(request)
            # Else the calculator it lands on looks like any signed-out visit.
            messages.success(request, "Your account and its history were deleted.")
            return redirect("calculator:index")
        refused = True
    return render(
        request,
        "account/delete.html",
        {"confirmation": CONFIRMATION, "refused": refused},
        status=400 if refused else 200,
    )


def delete(request: HttpRequest) -> None:
    user = request.user
    owner = owners.of_user(user.pk)
    # Its sockets first, so they say why (ending the sessions would close them as signed out).
    fanout.publish_owner_ended(owner, "account-deleted")
    with transaction.atomic():
        entries = services.forget(owner)
        usersessions_adapter().end_sessions(UserSession.objects.filter(user=user))
        user.delete()
    log.info("account-deleted %s entries=%d", owners.log_label(owner), entries)
    logout(request)  # this browser goes on anonymous, with a fresh session
