"""HTTP routes of the operations dashboard."""

from django.urls import path

from calculator.ops import views

app_name = "ops"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
]
