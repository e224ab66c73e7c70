"""`python -m openbook`: the same command line as the `openbook` script."""

from __future__ import annotations

from openbook.cli import main

if __name__ == "__main__":
    main()
