"""The core every other folder builds on: settings, the clocks, the error catalogue, enums and
limits (`catalog`), JSON encoding, names and URLs (`net`), the request-model base (`wire`),
the request and response primitives (`web`), the wording of a mistake (`hints`). Imports
nothing else of the package."""
