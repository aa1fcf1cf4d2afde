"""The File Upload API (a separate host for the real service; docs/api.md, "File uploads and
signed callbacks"): base64, multipart and URL uploads, and the files kept."""
