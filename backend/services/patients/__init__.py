"""The clinic's clients and their pets: records and the searchable directory."""
