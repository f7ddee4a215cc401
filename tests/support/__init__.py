"""What the tests share: fakes behind the same protocols as the real parts (fakes.py),
and helpers per feature. Ordinary modules, imported as ``support.<name>``."""
