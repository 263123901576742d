"""Routes of the token page, under /account/tokens/."""

from django.urls import path

from calculator.tokens import views

app_name = "tokens"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:token_id>/revoke/", views.revoke, name="revoke"),
]
