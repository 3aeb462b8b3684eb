"""From the bot to a person at 馬上辦 (issue 16): case codes, the staff queue, callbacks and staff replies.

Shared by the action server (a firm asks for a person), the Rasa channels (staff replies reach the firm) and the
staff helper (the queue). Nothing here imports Rasa or the staff helper.

    codes.py     short case codes without ambiguous letters
    phones.py    Taiwanese phone numbers: validated and normalised
    settings.py  office hours, code lifetime, callback retention (knowledge/handoff.yml)
    store.py     cases, case codes, callbacks and the outbox of staff messages (SQLite or PostgreSQL)
"""
