"""Scenarios: the YAML file format and its located errors (`scenario`, `located`), a scenario
compiled for one task (`script`: stages, looks, delivery policy, faults), and the track request
a scenario's looks change (`request`)."""
