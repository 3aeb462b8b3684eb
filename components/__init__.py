"""Custom NLU pieces for the tariff-relief bot.

Pure helpers (no Rasa import, cheap to load and test):

* :mod:`components.normalize` -- ``normalize_text``: NFKC, Simplified -> Traditional
  (OpenCC ``s2twp``, Traditional input left alone), whitespace/control clean-up.
* :mod:`components.numbers` -- ``extract_numbers``: percentages, signed revenue
  changes, NTD amounts (in 萬), employee counts and paid-in capital.

Rasa 3.6 graph components wrapping them (referenced from ``config.yml``):

* ``components.normalizer.TextNormalizer`` -- first in the pipeline.
* ``components.number_extractor.NumberExtractor`` -- rule-based entity extractor.
"""
