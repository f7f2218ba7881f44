"""Madoguchi: facility reservation and cashless payment kiosk."""

__version__ = "0.1.0"
