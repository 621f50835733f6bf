"""Google Calendar: the gateway interface, its SDK implementation and a local fake."""
