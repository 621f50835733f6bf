"""Conversation flows: one module per thing a client can do by chat."""
