"""Account routes: allauth's, and the calculator's own (deleting an account)."""

from django.urls import include, path

from calculator.accounts import views

urlpatterns = [
    path("delete/", views.delete_account, name="account_delete"),
    path("", include("allauth.urls")),
]
