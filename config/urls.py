"""Root URLs: the calculator app owns the site."""

from django.urls import include, path

from calculator.api.views import api

urlpatterns = [
    path("", include("calculator.web.urls")),
    path("api/v1/", api.urls),
    path("account/tokens/", include("calculator.tokens.urls")),
]
