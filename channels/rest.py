"""Rasa's REST channel (/webhooks/rest/webhook), made never silent (see guard.py)."""
from rasa.core.channels import rest

from channels.guard import never_silent


class RestInput(rest.RestInput):
    def blueprint(self, on_new_message):
        return super().blueprint(never_silent(on_new_message))
