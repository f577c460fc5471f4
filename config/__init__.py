"""Data, not code: this file only makes config/ the package clms.config, so that its TOML
files ship in the wheel and are found with importlib.resources wherever clms is installed."""
