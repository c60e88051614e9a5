"""Zero-knowledge proofs (spec §6): prove_* / verify_*; verify raises InvalidProof."""

from tohyo.crypto.proofs.chaum_pedersen import EqualityProof, prove_equality, verify_equality
from tohyo.crypto.proofs.range import RangeProof, prove_range, verify_range
from tohyo.crypto.proofs.schnorr import SchnorrProof, prove_knowledge, verify_knowledge

__all__ = [
    "EqualityProof",
    "RangeProof",
    "SchnorrProof",
    "prove_equality",
    "prove_knowledge",
    "prove_range",
    "verify_equality",
    "verify_knowledge",
    "verify_range",
]
