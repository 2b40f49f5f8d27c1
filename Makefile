# The two commands of the README are `make chat` and `make test`; each sets itself up.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export RASA_TELEMETRY_ENABLED := false
# Rasa 3.6 and TensorFlow print pages of deprecation warnings; keep the output readable.
export PYTHONWARNINGS := ignore
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 3

.PHONY: help bootstrap model chat serve lint validate unit conversations nlu test bench

help:
	@echo "make chat   - bicara dengan asisten di terminal (menyiapkan semuanya sendiri)"
	@echo "make test   - semua pemeriksaan: ruff, pytest (unit + end-to-end), rasa validate/test"
	@echo "make serve  - server Rasa (REST + API) dan server aksi lewat HTTP"
	@echo "make bench  - ukur kecepatan mesin aturan dan impor 10.000 rumah tangga"

bootstrap:
	@scripts/bootstrap.sh

model: bootstrap
	@scripts/train.sh

chat: model
	@scripts/chat.sh

serve: model
	@scripts/serve.sh

lint: bootstrap
	.venv/bin/ruff check .

validate: bootstrap
	.venv-rasa/bin/rasa data validate --quiet

unit: bootstrap
	.venv/bin/pytest

conversations: model
	.venv-rasa/bin/rasa test core --stories tests/conversations --fail-on-prediction-errors \
		--out var/results --quiet

# Held-out NLU test set (messages the model was not trained on): intent F1 >= 0.90.
nlu: model
	.venv-rasa/bin/rasa test nlu --model models/assistant.tar.gz --nlu tests/nlu/test_nlu.yml \
		--out var/results/nlu --quiet
	.venv/bin/python scripts/nlu_score.py var/results/nlu 0.90

# Order: cheap checks first; the model must exist before the end-to-end tests.
test: lint validate model unit conversations nlu

bench: model
	.venv/bin/python -m bench.engine
	.venv/bin/python -m bench.batch
	.venv/bin/python -m bench.chat
