"""Wording shared by the companions of several bundled models."""

EMAX_NOTE = "Emax and EC50 (dose in multiples of the EC50): assumption."
"""The source note of a therapy class whose Emax and EC50 were chosen here."""
