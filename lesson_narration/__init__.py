"""Narration scripts, one module per chapter: prose to read and review on its own.

Each module turns numbers computed by ``momentum_math`` into the spoken lines
of its chapter, so nothing spoken is typed in by hand.
"""
