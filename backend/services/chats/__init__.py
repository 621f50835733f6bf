"""WhatsApp conversations: outbound messages, the conversation lifecycle, the staff inbox and takeover."""
