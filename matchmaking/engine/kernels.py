"""The prefilter's score formula as one compiled loop (numba).

In numpy the formula of `batch.prefilter` was a dozen passes over each (sources × candidates)
tile, each reading and writing the whole tile, plus a reshape-and-max for the chunk maxima:
about 60 % of the full rebuild's prefilter time. Here each value is read once from the three
products, the float32 operations are the same ones in the same order (the scores are bit for
bit those of the numpy passes; a test compares them), and the chunk maxima are taken while
the tile is still in the cache.

What keeps the loops vectorised (SIMD), about six times faster than scalar code:
- `error_model="numpy"`: no check for a division by zero inside the loop (none can happen:
  both sides of the harmonic mean are at least the 1e-30 added to the complement);
- C-contiguous arrays only (a sliced view would compile to a strided, scalar loop), which is
  why the scores are written by position into the whole matrix;
- of fast-math, only the promises that no NaN or infinity occurs, and no signed zero: no
  reassociation and no fused multiply-add, so every result is rounded as numpy rounds it.
  The chunk maxima may be taken in any order (a maximum is exact whatever the order).

Imported only by a full rebuild (batch.Candidates, in the parent process before the workers
are forked, which then share the compiled code): web processes and Celery workers never load
numba. Compiled on first use and cached (`cache=True`) under NUMBA_CACHE_DIR, by default a
directory per user in the system's temporary directory, so that a read-only installation
works too.
"""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault(  # one directory per user: another user's would not be writable
    "NUMBA_CACHE_DIR", os.path.join(tempfile.gettempdir(), f"spinportal-numba-{os.getuid()}")
)

import numba  # reads NUMBA_CACHE_DIR when imported
import numpy as np

from matchmaking import scoring

_CAP_BACKWARD = np.float32(scoring.W_COMPETENCE)  # the backward coverage is at most 1
_CAP_TEXT = np.float32(scoring.W_TEXT)  # the text part saturates
_ZERO = np.float32(0.0)


@numba.njit(cache=True, nogil=True, error_model="numpy", fastmath=True)
def _maximum(row, low, high):
    best = _ZERO
    for j in range(low, high):
        best = max(best, row[j])
    return best


@numba.njit(cache=True, nogil=True, error_model="numpy", fastmath={"nnan", "ninf", "nsz"})
def score_tile(
    forward, backward, text, width, complements, complement_of, factors, factor_of, start,
    scores, local, maxima, first_chunk, chunk,
):  # fmt: skip
    """For each source row i and tile column j < width (candidate `start + j`):

        t' = min(text, 0.25) + complement;  F = forward + t';  B = min(backward, 0.6) + t'
        scores[i, local + j] = F·B / (F + B) · factor,  or 0 where forward, backward and
        text are all 0

    with `complements[complement_of[i]]` and `factors[factor_of[i]]` the source's vectors
    over all candidates (the factor includes the harmonic mean's 2). Writes the maximum of
    each run of `chunk` columns of a row to `maxima[i, first_chunk + k]` (the last run may
    be shorter). All arrays C-contiguous."""
    for i in range(forward.shape[0]):
        complement = complements[complement_of[i]]
        factor = factors[factor_of[i]]
        row = scores[i]
        for j in range(width):
            f = forward[i, j]
            b = backward[i, j]
            t = text[i, j]
            overlap = (f + b) + t
            shared = min(t, _CAP_TEXT) + complement[start + j]
            f = f + shared
            b = min(b, _CAP_BACKWARD) + shared
            value = (f * b) / (f + b) * factor[start + j]
            row[local + j] = value if overlap > _ZERO else _ZERO
        k = first_chunk
        for low in range(local, local + width, chunk):
            maxima[i, k] = _maximum(row, low, min(low + chunk, local + width))
            k += 1


def warm_up() -> None:
    """Compiles (or loads from the cache) score_tile for the types the prefilter passes."""
    one = np.zeros((1, 1), dtype=np.float32)
    index = np.zeros(1, dtype=np.int64)
    score_tile(
        one, one, one, 1, one, index, one, index, 0, np.zeros((1, 1), dtype=np.float32), 0,
        np.zeros((1, 1), dtype=np.float32), 0, 64,
    )  # fmt: skip
