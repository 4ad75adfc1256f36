"""demo stage: a synthetic, clearly marked corpus in real export formats, run end to end."""

from groundswell.demo.generator import write_corpus
from groundswell.demo.run import DemoResult, run_demo

__all__ = ["DemoResult", "run_demo", "write_corpus"]
