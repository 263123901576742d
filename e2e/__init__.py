"""End-to-end tests: Playwright driving Chromium against a real daphne."""
