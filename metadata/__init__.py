"""Standard metadata with rdflib: DCAT-AP 3, data.json, schema.org, datapackage.json."""
