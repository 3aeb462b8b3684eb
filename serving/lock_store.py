"""A Redis lock store whose ticket changes are atomic, for several Rasa processes serving one conversation.

Rasa 3.6's RedisLockStore changes a conversation's ticket lock by read-modify-write in separate Redis calls
(get, change in Python, set). Two processes receiving messages of one conversation at the same moment can both
read the same lock and both write back their own copy: both get ticket 0, or one's ticket is erased by the other's
cleanup, and both handle their message at once. Each then saves the tracker, and the SQL tracker store keeps the
events of one of them only: a message and its answer are lost (seen in tests/test_scale_out.py about once in seven
runs with four messages sent at once to two processes). Rasa's fix, a concurrent lock store (RasaHQ/rasa#11256),
went to Rasa Pro, not to Rasa Open Source.

Here every change of a lock is one Redis transaction: WATCH the key, read it, change it, MULTI/SET/EXEC, and start
again if another process wrote the key meanwhile. The lock's format and keys are Rasa's own, so a process with this
store and one with Rasa's can read each other's locks (but only this one is safe). deploy/endpoints-scale.yml
selects it with `type: serving.lock_store.AtomicRedisLockStore`.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore


class AtomicRedisLockStore(RedisLockStore):
    def __init__(self, endpoint_config=None, **kwargs) -> None:
        # Rasa builds a lock store named by its module path as cls(endpoint_config=...)
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url or "localhost", **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    def _change(self, conversation_id: str, change: Callable[[TicketLock | None], tuple[TicketLock | None, object]]):
        """Applies change(lock) -> (new lock or None to delete it, result) atomically; returns the result."""
        import redis

        key = self.key_prefix + conversation_id
        while True:
            with self.red.pipeline() as pipe:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(raw)) if raw else None
                    new_lock, result = change(lock)
                    pipe.multi()
                    if new_lock is None:
                        pipe.delete(key)
                    else:
                        pipe.set(key, new_lock.dumps())
                    pipe.execute()
                    return result
                except redis.WatchError:  # another process changed the lock between our read and write
                    continue

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def take(lock):
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, take)
        except Exception as e:  # as Rasa's: the message fails with a LockError, never runs unlocked
            raise LockError(f"Error while acquiring lock. Error:\n{e}") from e

    def update_lock(self, conversation_id: str) -> None:
        def expire(lock):
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, expire)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def finish(lock):
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._change(conversation_id, finish)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Removes the ticket, and the lock when no one else waits for it, in one step (Rasa's does it in four)."""

        def finish(lock):
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._change(conversation_id, finish)
