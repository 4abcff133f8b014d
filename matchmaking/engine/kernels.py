"""The prefilter's score formula as one compiled loop (numba).

In numpy the formula of `batch.prefilter` was a dozen passes over each (sources × candidates)
tile, each reading and writing the whole tile, plus a reshape-and-max for the chunk maxima:
about 60 % of the full rebuild's prefilter time. Here each value is read once from the three
products, the float32 operations are the same ones in the same order (the scores are bit for
bit those of the numpy passes; a test compares them), and the chunk maxima are taken while
the tile is still in the cache.

Compiled on first use and cached beside this file (`cache=True`); `nogil` so that a thread
could run it next to others. No fast-math reassociation or fused multiply-add: only the
promises that no NaN or infinity occurs (both sides of the harmonic mean are at least the
1e-30 added to the complement, so neither a division by zero nor a NaN can happen).
"""

from __future__ import annotations

import numba
import numpy as np

from matchmaking import scoring

_CAP_BACKWARD = np.float32(scoring.W_COMPETENCE)  # the backward coverage is at most 1
_CAP_TEXT = np.float32(scoring.W_TEXT)  # the text part saturates
_ZERO = np.float32(0.0)


@numba.njit(cache=True, nogil=True, fastmath={"nnan", "ninf", "nsz"})
def score_tile(
    forward, backward, text, complements, complement_of, factors, factor_of, start, out,
    maxima, first_chunk, chunk,
):  # fmt: skip
    """For each source row i and tile column j (candidate `start + j`):

        t' = min(text, 0.25) + complement;  F = forward + t';  B = min(backward, 0.6) + t'
        out = F·B / (F + B) · factor,  or 0 where forward, backward and text are all 0

    with `complements[complement_of[i]]` and `factors[factor_of[i]]` the source's vectors
    over all candidates. Writes the maximum of each run of `chunk` columns of a row to
    `maxima[i, first_chunk + k]` (the last run may be shorter)."""
    rows, width = forward.shape
    for i in range(rows):
        complement = complements[complement_of[i]]
        factor = factors[factor_of[i]]
        row = out[i]
        for j in range(width):
            f = forward[i, j]
            b = backward[i, j]
            t = text[i, j]
            overlap = (f + b) + t
            shared = min(t, _CAP_TEXT) + complement[start + j]
            f = f + shared
            b = min(b, _CAP_BACKWARD) + shared
            value = (f * b) / (f + b) * factor[start + j]
            row[j] = value if overlap > _ZERO else _ZERO
        k = first_chunk
        for low in range(0, width, chunk):
            best = _ZERO
            for j in range(low, min(low + chunk, width)):
                best = max(best, row[j])
            maxima[i, k] = best
            k += 1
