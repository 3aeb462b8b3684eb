"""channels/limits.py: the per-sender sliding window, its configuration and its memory."""

import pytest

from channels.limits import DEFAULT_LIMIT, RateLimiter, limit_from_env


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_thirty_a_minute_then_the_window_slides():
    clock = Clock()
    limiter = RateLimiter(30, clock=clock)
    for _ in range(30):  # one every second
        assert limiter.allow("firm")
        clock.now += 1
    assert not limiter.allow("firm")  # at 30 s: 30 in the last minute
    assert limiter.allow("another firm")
    clock.now += 29.9
    assert not limiter.allow("firm")  # 59.9 s after the first: still 30
    clock.now += 0.2
    assert limiter.allow("firm")  # 60 s after the first, one place is free again
    assert not limiter.allow("firm")


def test_refused_messages_do_not_extend_the_wait():
    clock = Clock()
    limiter = RateLimiter(2, clock=clock)
    limiter.allow("firm"), limiter.allow("firm")
    for _ in range(100):
        clock.now += 0.5
        limiter.allow("firm")  # a flood of refused messages during the next 50 s
    clock.now += 10.1
    assert limiter.allow("firm")


def test_zero_turns_the_limit_off():
    limiter = RateLimiter(0)
    assert all(limiter.allow("firm") for _ in range(10_000))


def test_idle_senders_are_forgotten():
    clock = Clock()
    limiter = RateLimiter(5, clock=clock)
    for i in range(1000):
        limiter.allow(f"one-off-{i}")
    assert len(limiter) == 1000
    clock.now += 61
    limiter.allow("firm")
    assert len(limiter) == 1


@pytest.mark.parametrize(
    "value, expected",
    [(None, DEFAULT_LIMIT), ("", DEFAULT_LIMIT), ("12", 12), ("0", 0), ("-3", 0), ("lots", DEFAULT_LIMIT)],
)
def test_limit_from_the_environment(monkeypatch, value, expected):
    if value is None:
        monkeypatch.delenv("RATE_LIMIT_PER_MINUTE", raising=False)
    else:
        monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", value)
    assert limit_from_env() == expected
    assert DEFAULT_LIMIT == 30
