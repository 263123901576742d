"""Root URLs: the calculator app owns the site."""

from django.urls import include, path

urlpatterns = [
    path("", include("calculator.web.urls")),
    path("ops/", include("calculator.ops.urls")),
]
