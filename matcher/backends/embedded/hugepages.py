"""Back large, long-lived arrays with 2 MB pages, so random reads miss the TLB less."""
from __future__ import annotations

import ctypes
import ctypes.util
import logging

import numpy as np

log = logging.getLogger(__name__)

_MADV_HUGEPAGE, _MADV_COLLAPSE = 14, 25   # linux/mman.h; MADV_COLLAPSE since Linux 6.1
_HUGE = 2 << 20
_libc = None


def collapse(arr: np.ndarray) -> bool:
    """Ask Linux to move the whole 2 MB pages inside `arr`'s memory onto huge pages now.

    numpy already asks for huge pages for its own large arrays; faiss's vectors do not, and a
    graph walk or a gather of scattered rows then takes a TLB miss per row. At 1M profiles,
    collapsing the graph's codes and links takes 3-4 s, and a gather of 88k scattered rows
    then takes half the time. Best effort: an older kernel, or transparent huge pages turned
    off, leaves things as they were.
    """
    global _libc
    start = (arr.ctypes.data + _HUGE - 1) & ~(_HUGE - 1)
    end = (arr.ctypes.data + arr.nbytes) & ~(_HUGE - 1)
    if end <= start:
        return False
    if _libc is None:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        _libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    ok = (_libc.madvise(start, end - start, _MADV_HUGEPAGE) == 0
          and _libc.madvise(start, end - start, _MADV_COLLAPSE) == 0)
    if not ok:
        log.debug("huge pages not available (errno %d)", ctypes.get_errno())
    return ok
