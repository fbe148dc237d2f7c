"""SQL: engine, tables, migrations, the unit of work, repositories and read ports."""
