"""The staff editor's core (issue 17), no web: a draft of the knowledge-base sources, validated by `make kb`'s own
validator; versions beside the tracker store; diff, rollback, publish, export; preview against real questions.

    records.py   one record (a measure, a hotline) found in and written back into a YAML file's text, in the
                 house style; every other line of the file stays as it was
    draft.py     the draft: the five source files as text, edits with who/when/why/source, validation
    store.py     versions, changes and the shared draft (SQLite beside the tracker store, or PostgreSQL)
    editing.py   the operations: open, save (the optimistic check), publish, roll back, discard, reconcile
    publish.py   build + atomic swap of kb.sqlite (as `make kb`), the dictionary, when a retrain is advisable
    diff.py      what changed between two versions, record by record
    preview.py   the draft answered beside the live knowledge base, in-process through advisor.compose
    kb_import.py `make kb-import FILE=…`: exported files into the repository's knowledge/, validated first
"""
