"""The WebSocket adapter: consumer, routing, frame protocol, rate limits and fan-out."""
