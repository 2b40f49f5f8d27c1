# The two commands of the README are `make chat` and `make test`; each sets itself up.
SHELL := /bin/bash
.DEFAULT_GOAL := help
export RASA_TELEMETRY_ENABLED := false
# Rasa 3.6 and TensorFlow print pages of deprecation warnings; keep the output readable.
export PYTHONWARNINGS := ignore
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export TF_CPP_MIN_LOG_LEVEL := 3
# Rasa as every script and the production unit run it (fixed numerics, run-time fixes).
RASA := .venv-rasa/bin/python scripts/rasa_cli.py

.PHONY: help bootstrap system lock reproducibility seeds model chat serve serve-cluster services lint validate unit e2e conversations nlu test fuzz bench studio

help:
	@echo "make chat   - bicara dengan asisten di terminal (menyiapkan semuanya sendiri)"
	@echo "make test   - semua pemeriksaan: ruff, pytest (unit + end-to-end), rasa validate/test"
	@echo "make serve  - server Rasa (REST + API) dan server aksi lewat HTTP"
	@echo "make studio - studio pelatih: percakapan dan diagram keputusan berdampingan (peramban)"
	@echo "make serve-cluster - mode skala: beberapa server Rasa di balik nginx, PostgreSQL, Redis"
	@echo "make bench  - ukur kecepatan mesin aturan dan impor 10.000 rumah tangga"
	@echo "make fuzz   - uji acak panjang: 20.000 masukan keputusan dan 20.000 giliran percakapan"
	@echo "make reproducibility - latih dua kali dalam kondisi berbeda; prediksi harus sama"
	@echo "make seeds  - gerbang NLU pada tiga benih pelatihan lain, dan pesan yang nyaris di batas"

bootstrap:
	@scripts/bootstrap.sh

# Every Debian package any check needs (Graphviz and fonts, Chromium, Redis, PostgreSQL,
# nginx), only those missing, in one apt-get run (root; otherwise it prints the apt line).
system:
	@scripts/install_system.sh all

model: bootstrap
	@scripts/train.sh

# The hashed locks the bootstrap installs from, written from requirements/*.in with uv.
lock: bootstrap
	@scripts/lock.sh

# Same data, same model: train twice under different conditions (one CPU or all, oneDNN
# capped at AVX2, files in another order) and compare every held-out prediction (1e-6).
reproducibility: bootstrap
	.venv/bin/python scripts/model_check.py reproducibility

# The NLU gates on three other training seeds, and the messages near a decision boundary on
# any of them (SEED_MESSAGES: more messages, one JSON string per line).
seeds: bootstrap
	.venv/bin/python scripts/model_check.py seeds $(if $(SEED_MESSAGES),--messages $(SEED_MESSAGES))

chat: model
	@scripts/chat.sh

serve: model
	@scripts/serve.sh

# The trainer studio (assistant/studio): Graphviz from Debian when missing, then the servers
# of `make serve` with the REST channel the studio talks to; the link comes from
# `assistant --as ID trainer studio-link ID`.
studio: model
	@STUDIO_NO_BROWSER=1 scripts/install_studio.sh
	@ASSISTANT_REST=1 scripts/serve.sh

# Redis, PostgreSQL and nginx from Debian's packages, only when missing (needs root).
services:
	@scripts/install_services.sh

# Scale-out mode on this machine: ASSISTANT_RASA_SERVERS Rasa servers (2) behind nginx,
# PostgreSQL tracker store, Redis lock store (README, "Scale-out mode").
serve-cluster: model services
	@scripts/cluster.sh run

lint: bootstrap
	.venv/bin/ruff check .

validate: bootstrap
	$(RASA) data validate --domain domain --quiet

# Unit tests (no servers; real SQLite files, the rules engine, the actions on trackers).
unit: bootstrap
	@scripts/install_system.sh studio
	.venv/bin/pytest -m "not e2e"

# End-to-end: the real Rasa and action servers over HTTP (journeys, security, WhatsApp with a
# fake Graph API, the dialogue suite, a 2,000-turn conversation fuzz).
e2e: model
	@scripts/install_system.sh studio browser services
	.venv/bin/pytest -m e2e

conversations: model
	$(RASA) test core --stories tests/conversations --fail-on-prediction-errors \
		--out var/results --quiet

# Held-out NLU test set, every file of tests/nlu/ (messages the model was not trained on):
# weighted intent F1 >= 0.95, every intent >= 0.85, report_abuse recall >= 0.95.
nlu: model
	$(RASA) test nlu --model models/assistant.tar.gz --nlu tests/nlu \
		--out var/results/nlu --quiet
	.venv/bin/python scripts/nlu_score.py var/results/nlu 0.95

# Order: the system's packages first (one apt-get run), then cheap checks; the model must
# exist before the end-to-end tests.
test: system lint validate model unit e2e conversations nlu

# Long fuzz runs (make test runs short ones): FUZZ_CASES decide inputs, FUZZ_TURNS chat
# turns over the real servers; FUZZ_SEED repeats a run.
fuzz: model
	FUZZ_CASES=$${FUZZ_CASES:-20000} .venv/bin/pytest tests/unit/test_fuzz_decide.py -q -s
	FUZZ_TURNS=$${FUZZ_TURNS:-20000} FUZZ_SENDERS=$${FUZZ_SENDERS:-6} \
		.venv/bin/pytest -m e2e tests/e2e/test_conversation_fuzz.py -q -s

bench: model services
	.venv/bin/python -m bench.engine
	.venv/bin/python -m bench.batch
	.venv/bin/python -m bench.reminders
	.venv/bin/python -m bench.chat
	.venv/bin/python -m bench.turn_cost
	.venv/bin/python -m bench.load
