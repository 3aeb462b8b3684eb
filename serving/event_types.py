"""Rasa's event classes looked up by name from a table, not by walking every subclass of Event each time.

Rasa 3.6 turns each stored or returned event (`{"event": "slot", ...}`) into its class with
`Event.resolve_by_type`, which lists all subclasses of Event recursively (skipping abstract ones) and takes the
first whose type_name matches: about 40 classes walked for every event, so for each of the dozen events an
action returns and each event of a conversation read from the tracker store. Here the answer for a name is
remembered. The table is emptied whenever a new subclass of Event is defined (Event.__init_subclass__), so it
gives the class Rasa's walk would give; names Rasa does not resolve (its default, "topic", its error) still go
through Rasa's own method.
"""

from __future__ import annotations

_resolved: dict = {}


def install() -> None:
    from rasa.shared.core.events import Event

    if getattr(Event, "_event_types_installed", None):
        return
    rasa_resolve = Event.resolve_by_type  # a staticmethod: the plain function

    def resolve_by_type(type_name, default=None):
        cls = _resolved.get(type_name)
        if cls is None:
            cls = rasa_resolve(type_name, default)
            if cls is not None and cls is not default:
                _resolved[type_name] = cls
        return cls

    def init_subclass(cls, **kwargs):
        _resolved.clear()  # a new class can come before a remembered one in Rasa's walk
        super(Event, cls).__init_subclass__(**kwargs)

    Event.resolve_by_type = staticmethod(resolve_by_type)
    Event.__init_subclass__ = classmethod(init_subclass)
    Event._event_types_installed = rasa_resolve


def uninstall() -> None:
    from rasa.shared.core.events import Event

    rasa_resolve = getattr(Event, "_event_types_installed", None)
    if rasa_resolve:
        Event.resolve_by_type = staticmethod(rasa_resolve)
        del Event.__init_subclass__
        Event._event_types_installed = None
        _resolved.clear()
