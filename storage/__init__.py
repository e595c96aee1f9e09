"""Persistence: SQLAlchemy models, repositories, unit of work, migrations, conversation store.

Nothing outside this package writes SQL.
"""
