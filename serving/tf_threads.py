"""TensorFlow in one thread per pool unless the environment says otherwise.

By default TensorFlow gives its inter-op and intra-op pools a thread per core, and their threads spin a while
waiting for work before they sleep. Serving, each of our predictions is one small DIET model run (no transformer
layers): the pools add no speed, while their spinning is CPU the other conversations on the two cores could have
used. Rasa reads TF_INTER_OP_PARALLELISM_THREADS and TF_INTRA_OP_PARALLELISM_THREADS at start
(rasa.utils.tensorflow.environment); values already set are kept. Measured by scripts/bench_profile.py
(variant ours-tf-threads-default): see the README's performance section.
"""

from __future__ import annotations

import os

THREADS = "1"


def install() -> None:
    os.environ.setdefault("TF_INTER_OP_PARALLELISM_THREADS", THREADS)
    os.environ.setdefault("TF_INTRA_OP_PARALLELISM_THREADS", THREADS)
