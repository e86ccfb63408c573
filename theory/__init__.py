"""Derivations for the five homeworks, checked by sympy and cross-checked numerically.

``theory.claims`` holds the registry of proved claims (``all_claims()`` imports the derivation
modules), ``theory.written`` every written question of the handouts with the expected answers of
the explanations, ``theory.answer_keys`` the expected answers of the templates' answer cells,
``theory.answers`` the checker for closed-form answers that students type, ``theory.cli`` the
``dlgrade theory`` command and ``theory.latex`` the LaTeX rendering. Importing this package
imports nothing heavy.
"""
