"""Music generation (docs/api.md): the task that sends `text`, `first` and `complete` (or `error`)
callbacks and answers record-info from the same state."""
