"""Dosing sessions: administration, monitoring, alerts and discharge (step 2 of the pathway).

The modules here are pure rules (no database, no web): the dose calculator, vital-sign
thresholds and alerts, the monitoring schedule and the discharge criteria. docs/dosing-rules.md
describes each rule, its default and its source.
"""
