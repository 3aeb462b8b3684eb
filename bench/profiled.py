"""`python -m bench.profiled <serving arguments>`: `python -m serving` under cProfile, switched by signals, for
`scripts/bench_profile.py`. SIGUSR1 starts the profile, SIGUSR2 stops it and writes it to $PROFILE_OUT (pstats).

cProfile in Rasa's event loop thread: a coroutine's time counts only while it runs (an await leaves the frame), so
the figures are the loop's own work; the CPU of other threads (TensorFlow's) shows as the call that waited."""

from __future__ import annotations

import cProfile
import os
import signal
import time

from serving.__main__ import main

profile = cProfile.Profile(time.thread_time)  # the loop thread's CPU, not wall time: waiting is not work


def _start(*_):
    profile.enable()


def _stop(*_):
    profile.disable()
    profile.dump_stats(os.environ["PROFILE_OUT"])


if __name__ == "__main__":
    if os.environ.get("BENCH_NO_TRACKER_CACHE") == "1":  # bench_profile.py's ours-no-cache variant
        from serving import tracker_cache

        tracker_cache.install = lambda: None
    signal.signal(signal.SIGUSR1, _start)
    signal.signal(signal.SIGUSR2, _stop)
    main()
