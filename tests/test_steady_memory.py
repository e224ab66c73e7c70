"""openbook keeps glibc's malloc at its default thresholds for a whole command, so that
large buffers freed during a first reading of a big vault go back to the system."""

from __future__ import annotations

import platform

import pytest


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="glibc's malloc only")
def test_the_thresholds_are_set_where_glibc_allocates() -> None:
    from openbook.cli import steady_memory

    assert steady_memory() is True
