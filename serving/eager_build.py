"""Rasa's neural models (DIET here) build their weights at load without tracing a training graph.

`RasaModel.load` creates an empty model, fits it on one example only to create weights of the right shapes, then
overwrites them with the trained ones. The fit runs as a tf.function unless the component says `run_eagerly`, so
every load traces DIET's whole training step in graph mode: most of a model load's CPU, paid at every start of
Rasa (`make run`, each live bot of `make test`, each process of the scale-out). Run eagerly, the one step creates
the same variables (their shapes come from the example, not the mode) and the trained weights replace them as
before; afterwards the model is set back to the component's own mode, so predictions are traced and run as Rasa
runs them. Finetuning (`rasa train --finetune`) and components that ask for `run_eagerly` keep Rasa's load.
"""

from __future__ import annotations


def install() -> None:
    from rasa.utils.tensorflow.constants import RUN_EAGERLY
    from rasa.utils.tensorflow.models import RasaModel

    if getattr(RasaModel, "_eager_build_installed", None):
        return
    rasa_load = RasaModel.load.__func__

    def load(cls, model_file_name, model_data_example, predict_data_example=None, finetune_mode=False, *a, **kw):
        config = kw.get("config")
        if finetune_mode or not isinstance(config, dict) or config.get(RUN_EAGERLY):
            return rasa_load(cls, model_file_name, model_data_example, predict_data_example, finetune_mode, *a, **kw)
        eager = {**kw, "config": {**config, RUN_EAGERLY: True}}
        model = rasa_load(cls, model_file_name, model_data_example, None, finetune_mode, *a, **eager)
        model.config[RUN_EAGERLY] = config.get(RUN_EAGERLY)
        model.run_eagerly = bool(config.get(RUN_EAGERLY))  # predictions as Rasa runs them: a traced tf.function
        if predict_data_example:  # Rasa's own warm-up: trace the prediction once, at load
            model.run_inference(predict_data_example)
        return model

    RasaModel.load = classmethod(load)
    RasaModel._eager_build_installed = rasa_load
