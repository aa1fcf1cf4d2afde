"""python -m mock_server -> the `suno-mock` command."""

from mock_server.cli import main

raise SystemExit(main())
