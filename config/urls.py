"""Root URLs: the calculator app owns the site; accounts live under /accounts/."""

from django.urls import include, path

from calculator.api.views import api

urlpatterns = [
    path("", include("calculator.web.urls")),
    path("api/v1/", api.urls),
    path("account/tokens/", include("calculator.tokens.urls")),
    path("accounts/", include("calculator.accounts.urls")),
    path("ops/", include("calculator.ops.urls")),
]
