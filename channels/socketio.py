"""Rasa's socket.io channel for the web widget (/socket.io), made never silent (see guard.py).
Session persistence relies on python-socketio 5.9.0 (pinned): 5.10+ breaks it in rasa 3.6.21 (RasaHQ/rasa#13027)."""
from rasa.core.channels import socketio

from channels.guard import never_silent


class SocketIOInput(socketio.SocketIOInput):
    def blueprint(self, on_new_message):
        return super().blueprint(never_silent(on_new_message))
