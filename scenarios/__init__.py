"""The bundled scenario library (shipped as `mock_server.scenarios`); data files only."""
