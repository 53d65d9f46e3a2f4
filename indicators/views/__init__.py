"""The indicators pages. Import from the submodules: dashboard, targets, tasks, reports."""
