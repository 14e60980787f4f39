"""Whether this process records traces, decided before any of the trace machinery is imported.

A worker the daemon starts without traces (the default under `tandem serve`) never loads the
recorder, its writer thread's modules or `datetime`: ~6 ms of every Python start. Standard
library `os` only.
"""

from __future__ import annotations

import os

# TANDEM_TRACE_DIR values that mean "no traces", as the daemon and a person write them.
OFF = frozenset({"", "0", "off", "false", "no", "none"})


def requested() -> bool:
    configured = os.environ.get("TANDEM_TRACE_DIR")
    return configured is not None and configured.strip().lower() not in OFF
