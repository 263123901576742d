"""HTTP routes of the calculator."""

from django.urls import path

from calculator.web import views

app_name = "calculator"

urlpatterns = [
    path("", views.index, name="index"),
    path("clear/", views.clear, name="clear"),
    path("status/offline/", views.offline, name="offline"),
    path("help/", views.reference, name="reference"),
    path("healthz", views.healthz, name="healthz"),
]
