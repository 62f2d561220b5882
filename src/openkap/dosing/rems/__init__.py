"""The esketamine REMS Patient Monitoring Form: its contents, setting, PDF, submission and the due
list."""
