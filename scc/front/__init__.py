"""Stage front: a spec file -> located plain data: load with positions, schema, environments."""
