"""report stage: one static HTML file with inline CSS and SVG charts (no network needed)."""

from groundswell.report.html import build_report

__all__ = ["build_report"]
