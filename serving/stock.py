"""`python -m serving.stock <rasa arguments>`: Rasa's own command with only serving/eager_build.py installed.

`make bench-quick` serves the baseline with it: the baseline's four neural models (DIET, TED, UnexpecTED,
ResponseSelector) load in a fraction of the time, and every message is handled exactly as stock `rasa run` handles
it (eager_build changes how weights are built at load, nothing after). `make bench` keeps stock `rasa run` for the
baseline, since it also measures the time to the first answer.
"""

from serving import eager_build

if __name__ == "__main__":
    eager_build.install()
    from rasa.__main__ import main

    main()
