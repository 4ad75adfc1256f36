"""Care rules (CODEBOOK section 7): pseudonyms, masking, small-cell suppression."""

from groundswell.care.mask import mask_text
from groundswell.care.pseudonym import Pseudonymiser, load_key, pseudonymise_ids
from groundswell.care.suppress import (
    MIN_CELL,
    WITHHELD,
    complementary_cells,
    suppress_small_cells,
)

__all__ = [
    "MIN_CELL",
    "WITHHELD",
    "Pseudonymiser",
    "complementary_cells",
    "load_key",
    "mask_text",
    "pseudonymise_ids",
    "suppress_small_cells",
]
