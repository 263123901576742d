"""Root URLs: the calculator app owns the site; accounts live under /accounts/."""

from django.urls import include, path

urlpatterns = [
    path("", include("calculator.web.urls")),
    path("accounts/", include("calculator.accounts.urls")),
]
