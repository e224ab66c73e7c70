"""One module per group of commands; each exposes `<name>_command`."""
