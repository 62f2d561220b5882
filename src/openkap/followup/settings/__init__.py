"""The clinic's follow-up settings (versioned), their page, and the API of settings and urgent
alerts."""
