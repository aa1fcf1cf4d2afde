"""The package version, in a module that imports nothing: any module can read it without
importing the package root (whose lazy exports reach the whole package)."""

__all__ = ["__version__"]

__version__ = "0.1.0"
