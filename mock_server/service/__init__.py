"""The running mock: the engine that builds every family's backend from the registry and owns
the services, the waits that drive a manual clock to a callback or status, and what each file
URL serves."""
