"""The conformance report: what the spec judged, each scenario's verdict (passed, failed, error,
not run) with its steps, evidence, runs and trigger decisions, written as cucumber JSON, Markdown
and a self-contained HTML page; shards' cucumber JSON files merge into the same report.

Modules: `model` (the values), `verdict` (failed vs error), `evidence` (what steps attach),
`environment` (what was judged), `catalogue` (seed lines and claims), `collect` and `plugin`
(pytest), `shard` (balanced shares), `cucumber` (JSON in and out), `merge`, `markdown`, `page`,
`scenario_html`, `timeline` (SVG), `browser` (headless Chromium).
"""
