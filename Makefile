# Every step has a name. The README's two commands are `make run` and `make test`.
PY := .venv/bin/python
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONPATH := $(CURDIR)


.PHONY: rasa-files lint types
.PHONY: run test install install-test spacy train validate test-unit test-stories serve clean eval cv bench purge sms-report stop run-scaled serve-scaled stop-scaled purge-scaled test-scaled bench-quick

run: install train serve            ## install, train if stale, start everything

test: install-test lint train       ## install test tools, lint, train if stale, run every test
	$(PY) -m pytest

lint: types                         ## ruff (pyflakes rules, pyproject.toml) and the type check
	$(PY) -m ruff check .

types:                              ## mypy on bot/ actions/ scripts/ (config: pyproject.toml)
	$(PY) -m mypy

install:                            ## the runtime environment in .venv (idempotent)
	scripts/install.sh

install-test:                       ## runtime + test tools + Chromium
	scripts/install.sh test

spacy:                              ## the rule-based spaCy pipeline from content/
	$(PY) scripts/build_spacy.py

train: spacy                        ## train the Rasa model if an input changed
	$(PY) scripts/train.py

rasa-files:                         ## the Rasa files derived from content/topics.yml and content/bank/ -> build/rasa/
	$(PY) scripts/build_rasa.py

validate: rasa-files                ## rasa data validate, on domain.yml + data/ and the derived files
	$(PY) -m rasa data validate --fail-on-warnings --domain build/rasa/domain.yml --data data build/rasa/data

test-unit:                          ## the fast tests only (no servers)
	$(PY) -m pytest -m "not e2e and not browser"

test-stories:                       ## test stories against the trained model
	$(PY) -m rasa test core --stories tests/test_stories.yml --fail-on-prediction-errors --out var/results

serve:                              ## start action server, Rasa and web app on 127.0.0.1, supervised
	$(PY) scripts/serve.py

stop:                               ## stop what `make run` / `make serve` started (from another shell)
	$(PY) scripts/serve.py --stop

run-scaled: install train serve-scaled ## the scaled stack: PostgreSQL, Redis, nginx, 2 of each process (Debian packages)

serve-scaled:                       ## start the scaled stack without installing or training
	scripts/install.sh scaled
	$(PY) scripts/run_scaled.py

stop-scaled:                        ## stop what `make run-scaled` started (from another shell)
	$(PY) scripts/run_scaled.py --stop

purge-scaled:                       ## retention purge on the scaled stack's PostgreSQL (cron-safe)
	$(PY) scripts/run_scaled.py --purge

test-scaled:                        ## the fault tests on real PostgreSQL, Redis and nginx (tests/scale/)
	$(PY) -m pytest tests/scale -m scaled

clean:                              ## remove build outputs (keeps .venv)
	rm -rf build models/*.tar.gz models/*.fingerprint var/results .rasa

eval: train                         ## NLU vs baselines, answers end to end, reading grades -> reports/evaluation.md
	$(PY) scripts/evaluate.py --e2e

cv: train                           ## the same report plus 5-fold cross-validation (trains 5 models: ~1 hour on 2 cores)
	$(PY) scripts/evaluate.py --e2e --cv 5

bench: train                        ## stock Rasa vs ours, embedded vs 1/2/4 replicas -> reports/bench.md (about 40 min)
	nice -n 19 $(PY) scripts/bench.py

bench-quick:                        ## the same, short (CI: a couple of minutes) -> reports/bench-quick.md
	nice -n 19 $(PY) scripts/bench.py --quick

sms-report:                         ## SMS segments per answer, before/after the SMS forms -> reports/sms_segments.md
	$(PY) scripts/sms_report.py

purge:                              ## delete conversations older than RETENTION_DAYS (cron-safe)
	$(PY) -m bot.web.store purge
