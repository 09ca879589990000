"""GitHub Actions on the testbed: which workflows an event starts, and running them with `act`.

`triggers` and `events` pick the workflow files GitHub would run for an event (every decision kept
in `decisions`); `scheduler` queues the runs under their concurrency groups; `runner` runs one with
act, with the run record in `record`, act's command line in `invocation`, concurrent runs kept apart
by `isolation` and act's log read by `actlog`. `store` and `uses` serve the actions a workflow
`uses:` offline; `calltoken` and `jobtokens` give called workflows and jobs their GITHUB_TOKEN.
"""
