"""The account page for tokens: create (the token shown once), list, revoke.

Plain form posts that work without JavaScript; with htmx the same posts swap the panel in place.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from calculator.tokens import services
from calculator.tokens.forms import TokenForm

PAGE = "tokens/tokens.html"


@login_required
@never_cache  # the response to a create holds the token: no cache may keep it
@require_http_methods(["GET", "HEAD", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST if request.method == "POST" else None)
    created = None
    status = 200
    if form.is_bound and form.is_valid():
        try:
            token, text = services.issue(
                request.user,
                form.cleaned_data["name"],
                form.cleaned_data["scope"],
                form.cleaned_data["expires_days"],
            )
        except services.TokenRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            created = {"token": token, "text": text}
            form = TokenForm()
    if form.is_bound and form.errors and not request.htmx:
        status = 400  # htmx swaps only 2xx answers: it gets the form and its errors with 200
    return panel(request, form, created, status)


@login_required
@require_POST
def revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    services.revoke(token_id, request.user)  # another person's id revokes nothing
    if request.htmx:
        return panel(request, TokenForm(), None)
    return redirect("tokens:index")


def panel(request: HttpRequest, form: TokenForm, created: dict | None, status=200) -> HttpResponse:
    """The whole page, or with htmx only its panel (the same partial)."""
    template = f"{PAGE}#panel" if request.htmx else PAGE
    context = {"form": form, "created": created, "tokens": services.of_user(request.user)}
    return render(request, template, context, status=status)
