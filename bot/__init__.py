"""Foorumi: a Telegram participation channel for a city's user-driven forums."""
