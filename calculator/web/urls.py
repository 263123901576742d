"""HTTP routes of the calculator."""

from django.urls import path

from calculator.web import views

app_name = "calculator"

urlpatterns = [
    path("", views.index, name="index"),
    path("clear/", views.clear, name="clear"),
    path("delete/", views.delete, name="delete"),
    path("export.<str:kind>", views.export, name="export"),
    path("share/", views.share, name="share"),
    path("share/revoke/", views.revoke, name="revoke"),
    path("s/<str:token>/", views.shared, name="shared"),
    path("status/offline/", views.offline, name="offline"),
    path("help/", views.reference, name="reference"),
    path("healthz", views.healthz, name="healthz"),
]
