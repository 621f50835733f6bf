"""Messages the clinic starts: appointment notifications, reminders, post-procedure follow-ups."""
