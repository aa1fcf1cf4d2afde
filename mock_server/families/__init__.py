"""The families of the API, one folder each with the same file names (`wire`, `store`,
`backend`, `payloads`, `handlers`, and `family`, which declares it), and the one registry that
lists them (`registry.FAMILIES`). What a family declares: `family.Family`."""
