"""Media: the files the mock serves and the audio it reads.

- `urls`: every file URL path: the routes `routes.py` registers and the URLs payloads carry.
- `synth`: the files made up on request (silent MP3/WAV of a given length, MP4, PNG, JPEG).
- `duration`: how long an MP3 or WAV is, from its bytes.
- `sources`: fetching the audio a request's `uploadUrl` (or `fileUrl`) points at, within the
  allow-list.
- `file_store`: the File Upload API's store (files kept for `upload_retention`).
- `served`: what each file URL serves (bytes and type, or the 404); `api/files.py` sends it.
"""
