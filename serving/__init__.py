"""How our Rasa processes are started: `python -m serving run ...` is Rasa's own command line with two fixes to
Rasa installed first: action responses validated without re-checking the schema (action_validation) and the SQLite
tracker store in WAL mode (sqlite_tuning). scripts/run.sh, scripts/scale.sh and `make bench` start Rasa this way.
With several processes, deploy/endpoints-scale.yml names lock_store.AtomicRedisLockStore (atomic ticket changes)."""
