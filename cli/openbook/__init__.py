"""openbook: a shared, plain-text transparency log for couples rebuilding trust."""

__version__ = "0.1.0"
