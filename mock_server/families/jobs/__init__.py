"""Single-stage jobs (docs/api.md, "WAV and MP4", "Vocal removal and MIDI"): one callback after
`job_delay`, a record-info of their own. Each kind is a class in `kinds.py`."""
