"""The WhatsApp assistant: conversation engine, flows, emergencies, timeouts.

Import what you need from its modules; this package file imports nothing, so
a service using `replies` does not load the whole engine. The entry points:
- `inbound.accept_posted` (the webhook) / `inbound.accept` (the sandbox): store
  an inbound message and submit it to the assistant after the commit;
- `inbound.process_inbound_message(message_id)`: answer it (in-process or a Celery task);
- `timeouts.sweep_conversation_timeouts(now)`: reminders and closing (periodic);
- `inbound.simulate_inbound`: the same path without Twilio (demo data).
"""
