"""Domain services: the rules of the participation process, free of Telegram and SQL.

Each function takes a unit of work, does one thing atomically and commits it.
"""
