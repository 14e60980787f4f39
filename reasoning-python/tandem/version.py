"""The package's version, in a module of its own so code inside the package reads it
without importing `tandem` itself."""

__version__ = "0.1.0"
