"""Custom Rasa input channels (see ``channels.line`` for the LINE Messaging API)."""
