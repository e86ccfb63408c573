"""Derivations for the five homeworks, checked by sympy and cross-checked numerically.

``theory.claims`` holds the registry (``all_claims()`` imports the derivation modules),
``theory.cli`` the ``dlgrade theory`` command, ``theory.latex`` the LaTeX rendering and
``theory.answers`` the checker for closed-form answers that students type. Importing this package
imports nothing heavy.
"""
