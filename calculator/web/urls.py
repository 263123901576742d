"""HTTP routes of the calculator."""

from django.urls import path, re_path

from calculator.web import scrape, views

app_name = "calculator"

urlpatterns = [
    path("", views.index, name="index"),
    path("clear/", views.clear, name="clear"),
    path("delete/", views.delete, name="delete"),
    path("export.<str:kind>", views.export, name="export"),
    path("share/", views.share, name="share"),
    path("share/revoke/", views.revoke, name="revoke"),
    path("s/<str:token>/", views.shared, name="shared"),
    path("angle/", views.angle, name="angle"),
    # The key only names the cache entry: the input it gives has a key of its own.
    re_path(r"^field/(?P<key>[A-Za-z0-9_-]{1,32})/next/$", views.next_field, name="next_field"),
    path("status/offline/", views.offline, name="offline"),
    path("status/queued/", views.queued, name="queued"),
    path("help/", views.reference, name="reference"),
    path("healthz", views.healthz, name="healthz"),
    path("metrics", scrape.metrics, name="metrics"),
]
