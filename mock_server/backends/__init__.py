"""One backend per family: its state and all its rules; handlers parse, call one method here,
and serialise. Built (and rebuilt by reset) by the composition root, `mock_server.engine`.

- `account`: credits and the submit rate limit (every family charges through it).
- `music`: music tasks: submit rules, their events on the clock, their callbacks.
- `jobs`: single-stage families (lyrics, WAV, vocal removal, MP4, cover, MIDI, Recovery Audio).
- `sync_ops`: answered at once (persona, timestamped lyrics, boost style).
- `voice`: Suno Voice (validation phrase, then the voice).
- `uploads`: the File Upload API (base64, multipart, URL) and the files it keeps.
"""
