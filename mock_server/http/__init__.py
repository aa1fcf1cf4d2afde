"""What a client sees over HTTP: the API middleware and error envelope, the guard (body
deadline, control-plane token and cross-site checks), the route table (the families' rows, the
files, the control plane), /openapi.json, the control plane and its driving routes, and the
listener that runs an app on a port."""
