"""allauth's passkey form in the account menu's word: its "Passwordless" box asks whether the
passkey signs in alone. Registered through MFA_FORMS; fields, checks and scripts stay allauth's.
"""

from __future__ import annotations

from allauth.mfa.webauthn.forms import AddWebAuthnForm


class AddPasskeyForm(AddWebAuthnForm):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if "passwordless" in self.fields:
            self.fields["passwordless"].label = "Sign in with this passkey alone"
            self.fields[
                "passwordless"
            ].help_text = (
                "No password needed: the device checks it is you (fingerprint, face or PIN)."
            )
