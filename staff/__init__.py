"""Internal helper for the 馬上辦服務中心 staff (issue 6): search, eligibility calculator, hotline directory and
conversation review, served on 127.0.0.1:8090 by `make staff` (python -m staff). Never mounted on Rasa."""
