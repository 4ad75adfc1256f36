.PHONY: test lint bench demo
test:
	python -m pytest
lint:
	ruff check src tests bench
	ruff format --check src tests bench
bench:
	python bench/ingest.py
	python bench/classify.py
demo:
	groundswell demo
