"""The LINE Messaging API channel, in the shape of Rasa's facebook.py: ``text`` (LINE's limits),
``messages`` (pure conversion of Rasa's messages to LINE's: text, Flex, quick replies), ``api`` (the HTTP calls),
``events`` (what each webhook event does), ``webhook`` (the input channel: signature and checks), and
``richmenu`` (``make line-richmenu``). credentials.yml names ``channels.line.LineInput``."""

__all__ = ["LineInput", "LineOutput"]


def __getattr__(name: str):
    # imported on first use: `python -m channels.line.richmenu` then starts without loading Rasa
    if name == "LineInput":
        from channels.line.webhook import LineInput

        return LineInput
    if name == "LineOutput":
        from channels.line.events import LineOutput

        return LineOutput
    raise AttributeError(name)
