"""The form that creates a token on the account page (the no-JS post and htmx send the same)."""

from django import forms

from calculator.tokens.models import MAX_NAME_LENGTH, SCOPES
from calculator.tokens.services import MAX_EXPIRY_DAYS


class TokenForm(forms.Form):
    name = forms.CharField(max_length=MAX_NAME_LENGTH, strip=True)
    scope = forms.ChoiceField(choices=SCOPES, widget=forms.RadioSelect, initial="read")
    expires_days = forms.IntegerField(
        required=False, min_value=1, max_value=MAX_EXPIRY_DAYS, label="Expires after (days)"
    )
